package io.framewire.server.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.JsonMessages;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.InputErrors;
import io.framewire.server.job.Job;
import io.framewire.transport.FrameOutcome;
import io.framewire.server.job.JobStats;
import org.HdrHistogram.Histogram;
import org.agrona.collections.IntArrayList;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;

/** A job's figures as JSON: the live view for {@code /metrics} and the final {@code result} message. */
public final class JobJson
{
    private JobJson()
    {
    }

    /** What every view of a job has: identity, progress, queues, retries and latencies. */
    public static ObjectNode progress(final Job job)
    {
        final FrameRing ring = job.ring();
        final long total = ring.totalFrames();
        final long decoded = ring.decoded();
        final long dispatched = job.slots().dispatched();
        final long completed = job.stats().completed();
        final long encoded = ring.encoded();
        final ObjectNode node = JsonMessages.MAPPER.createObjectNode();
        node.put("job", Long.toString(job.id()));
        node.put("status", job.failure() != null ? "failed" : job.running() ? "running" :
            job.inputComplete() ? "ok" : "incomplete");
        if (job.failure() != null)
        {
            node.putObject("error").put("code", job.failure().code().wireName())
                .put("message", job.failure().getMessage());
        }
        node.put("processing", job.processing());
        node.put("pipeline", job.pipeline());
        node.put("width", job.width());
        node.put("height", job.height());
        node.put("frame_rate", job.frameRate());
        if (total >= 0)
        {
            node.put("frames_total", total);
        }
        else
        {
            node.putNull("frames_total");
            if (job.estimatedFrames() >= 0)
            {
                node.put("frames_estimated", job.estimatedFrames()); // the container's count, until decoding ends
            }
        }
        node.put("frames_decoded", decoded);
        node.put("frames_processed", completed);
        node.put("frames_encoded", encoded);
        node.put("elapsed_s", round(job.elapsedSeconds()));
        final ObjectNode queued = node.putObject("queued");
        queued.put("waiting_dispatch", Math.max(0, decoded - dispatched));
        // Frames this run processed count from the ring's first (0, or where a carried-on job goes on).
        final long completedUpTo = ring.firstFrame() + completed;
        queued.put("in_flight", Math.max(0, dispatched - completedUpTo));
        queued.put("waiting_reorder", Math.max(0, completedUpTo - encoded));
        node.put("retries", job.slots().retries());
        final long[] afterAttempts = job.stats().completedAfterAttempts();
        final ObjectNode distribution = node.putObject("frames_by_attempts");
        for (int attempts = 1; attempts < afterAttempts.length; attempts++)
        {
            distribution.put(Integer.toString(attempts), afterAttempts[attempts]);
        }
        node.put("retries_per_frame", completed == 0 ? 0 : round((double)job.slots().retries() / completed));
        final ObjectNode journal = node.putObject("journal");
        journal.put("records", job.journal().records());
        journal.put("kb_appended", round(job.journal().bytesAppended() / 1e3));
        journal.put("append_us_mean", job.journal().records() == 0 ? 0 :
            round(job.journal().appendNanosTotal() / 1e3 / job.journal().records()));
        final ObjectNode latency = node.putObject("latency_ms");
        percentiles(latency.putObject("dispatch_to_result"), job.stats().dispatchToResult().snapshot());
        percentiles(latency.putObject("decode_to_encode"), job.stats().decodeToEncode().snapshot());
        node.put("detections_total", job.stats().detectionsTotal());
        return node;
    }

    /** The {@code result} message of a finished job. */
    public static ObjectNode result(final Job job)
    {
        final ObjectNode node = progress(job);
        final InputErrors errors = job.inputErrors();
        final boolean complete = job.inputComplete();
        // ok only when the whole input decoded and every frame of it was encoded; else the output holds what did.
        node.put("status", complete ? "ok" : "incomplete");
        final long frames = job.ring().totalFrames();
        final double seconds = job.elapsedSeconds();
        node.put("frames", frames);
        node.put("wall_ms", round(seconds * 1000));
        node.put("input_complete", complete);
        if (errors != null && errors.any())
        {
            final ObjectNode report = node.putObject("input_errors");
            report.put("frames_concealed", errors.framesConcealed());
            if (errors.firstConcealedFrame() >= 0)
            {
                report.put("first_concealed_frame", errors.firstConcealedFrame());
            }
            report.put("timestamps_repaired", errors.timestampsRepaired());
            if (errors.stopped() != null)
            {
                report.put("stopped", errors.stopped());
            }
        }
        if (job.estimatedFrames() >= 0)
        {
            // The container's count: an estimate in some (AVI counts its empty "repeat" packets too).
            node.put("input_frames_declared", job.estimatedFrames());
        }
        // Frames this run made: a job carried on from a kept output made only those after it.
        final long made = frames - job.ring().firstFrame();
        node.put("fps", round(made / seconds));
        node.put("first_frame_ms", round(job.firstFrameMs()));
        // Whole histograms (HdrHistogram, compressed, base64, in nanoseconds) for tools that merge or plot them.
        final ObjectNode histograms = node.putObject("latency_histograms");
        histograms.put("dispatch_to_result", encode(job.stats().dispatchToResult().snapshot()));
        histograms.put("decode_to_encode", encode(job.stats().decodeToEncode().snapshot()));
        final ObjectNode worker = node.putObject("worker");
        worker.put("filter_ms_mean", made <= 0 ? 0 : round(job.stats().filterNsTotal() / 1e6 / made));
        worker.put("filter_ms_max", round(job.stats().filterNsMax() / 1e6));
        worker.put("memory_mb_max", round(job.stats().workerMemoryMax() / (1024.0 * 1024.0)));
        final ArrayNode detections = node.putArray("detections");
        final IntArrayList boxes = job.stats().detections();
        for (int i = 0; i + JobStats.DETECTION_RECORD <= boxes.size(); i += JobStats.DETECTION_RECORD)
        {
            final ObjectNode detection = detections.addObject()
                .put("frame", boxes.getInt(i))
                .put("x", boxes.getInt(i + 1))
                .put("y", boxes.getInt(i + 2))
                .put("w", boxes.getInt(i + 3))
                .put("h", boxes.getInt(i + 4));
            final int score = boxes.getInt(i + 5);
            if (score != FrameOutcome.NO_SCORE)
            {
                detection.put("score", score / 1000.0);
                final ArrayNode keypoints = detection.putArray("keypoints");
                for (int k = 0; k < 2 * FrameOutcome.KEYPOINTS; k += 2)
                {
                    keypoints.addArray().add(boxes.getInt(i + 6 + k)).add(boxes.getInt(i + 7 + k));
                }
            }
        }
        final ArrayNode workers = node.putArray("workers");
        job.stats().workerShares().values().forEach(share -> workers.addObject()
            .put("worker_id", share.workerId)
            .put("pid", share.processId)
            .put("frames", share.frames));
        return node;
    }

    static String encode(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    static void percentiles(final ObjectNode node, final Histogram histogram)
    {
        node.put("p50", round(histogram.getValueAtPercentile(50) / 1e6));
        node.put("p95", round(histogram.getValueAtPercentile(95) / 1e6));
        node.put("p99", round(histogram.getValueAtPercentile(99) / 1e6));
        node.put("max", round(histogram.getMaxValue() / 1e6));
        node.put("count", histogram.getTotalCount());
    }

    static double round(final double value)
    {
        return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : 0;
    }
}
