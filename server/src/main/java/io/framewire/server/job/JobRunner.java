package io.framewire.server.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.ErrorCode;
import io.framewire.codec.JsonMessages;
import io.framewire.server.dispatch.JobTable;
import io.framewire.server.media.FrameDecoder;
import io.framewire.server.media.FrameEncoder;
import io.framewire.server.media.VideoSink;
import io.framewire.server.media.VideoSource;
import io.framewire.transport.TransportConfig;
import io.framewire.worker.filter.Pipeline;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Runs one job from its uploaded file to its output file: decoder, dispatch, result collection and encoder
 * run at the same time, each on its own thread, with the job's {@link FrameRing} between them.
 */
public final class JobRunner
{
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobTable jobs;
    private final int window;

    /** @param window frames of one job in flight at once: decoded, at workers, or waiting to be encoded. */
    public JobRunner(final JobTable jobs, final int window)
    {
        this.jobs = jobs;
        this.window = window;
    }

    /** @return the job's metrics, for the {@code result} message. */
    public ObjectNode run(final long jobId, final String processing, final Pipeline pipeline, final Path input,
        final Path output)
        throws JobFailedException, InterruptedException
    {
        final long startNs = System.nanoTime();
        try (VideoSource source = VideoSource.open(input))
        {
            final int width = source.width();
            final int height = source.height();
            try (FrameRing ring = new FrameRing(window, width * height * 3, pipeline.needsPrevious() ? 2 : 1);
                VideoSink sink = VideoSink.open(output, width, height, source.frameRate()))
            {
                final Job job = new Job(jobId, pipeline.spec(), width, height, ring);
                if (!jobs.submit(job))
                {
                    throw new JobFailedException(ErrorCode.BUSY, "the dispatcher is full; try again later");
                }
                LOG.info("job {}: {}x{} at {} fps, {} ({})", jobId, width, height, source.frameRate(), processing,
                    pipeline);
                final Thread decoder = start(job, new FrameDecoder(job, source.grabber()));
                final Thread encoder = start(job, new FrameEncoder(job, sink.recorder()));
                try
                {
                    encoder.join();
                    decoder.join();
                }
                finally
                {
                    if (!job.finished())
                    {
                        job.fail(ErrorCode.INTERNAL, "the job was interrupted");
                    }
                    decoder.join();
                    encoder.join();
                    if (!job.awaitRelease(10_000))
                    {
                        LOG.error("job {}: dispatcher did not release the job; leaking its frame memory", jobId);
                        throw new JobFailedException(ErrorCode.INTERNAL, "dispatcher did not release the job");
                    }
                }
                if (job.failure() != null)
                {
                    throw job.failure();
                }
                sink.finish();
                return report(job, processing, source.frameRate(), System.nanoTime() - startNs);
            }
        }
    }

    private static Thread start(final Job job, final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(
            TransportConfig.stageIdleStrategy(),
            error ->
            {
                // AgentRunner reports the normal end of an agent too; only other errors fail the job.
                if (!(error instanceof AgentTerminationException))
                {
                    job.fail(ErrorCode.INTERNAL, agent.roleName() + " failed: " + error);
                }
            },
            null, agent);
        return AgentRunner.startOnThread(runner);
    }

    private static ObjectNode report(final Job job, final String processing, final double frameRate,
        final long wallNs)
    {
        final long frames = job.ring().totalFrames();
        final ObjectNode node = JsonMessages.MAPPER.createObjectNode();
        node.put("job", Long.toString(job.id()));
        node.put("status", "ok");
        node.put("processing", processing);
        node.put("filter", job.pipeline());
        node.put("codec", "h264");
        node.put("frames", frames);
        node.put("width", job.width());
        node.put("height", job.height());
        node.put("frame_rate", frameRate);
        node.put("wall_ms", round(wallNs / 1e6));
        node.put("fps", round(frames / (wallNs / 1e9)));
        node.put("retries", job.retries());
        final ObjectNode latency = node.putObject("latency_ms");
        percentiles(latency.putObject("dispatch_to_result"), job.dispatchToResultNs());
        percentiles(latency.putObject("decode_to_encode"), job.decodeToEncodeNs());
        final ObjectNode worker = node.putObject("worker");
        worker.put("filter_ms_mean", frames == 0 ? 0 : round(job.filterNsTotal() / 1e6 / frames));
        worker.put("filter_ms_max", round(job.filterNsMax() / 1e6));
        worker.put("memory_mb_max", round(job.workerMemoryMax() / (1024.0 * 1024.0)));
        node.put("detections_total", job.detectionsTotal());
        final var detections = node.putArray("detections");
        final var boxes = job.detections();
        for (int i = 0; i + 4 < boxes.size(); i += 5)
        {
            detections.addObject()
                .put("frame", boxes.getInt(i))
                .put("x", boxes.getInt(i + 1))
                .put("y", boxes.getInt(i + 2))
                .put("w", boxes.getInt(i + 3))
                .put("h", boxes.getInt(i + 4));
        }
        final var workers = node.putArray("workers");
        job.workerShares().values().forEach(share -> workers.addObject()
            .put("worker_id", share.workerId)
            .put("pid", share.processId)
            .put("frames", share.frames));
        return node;
    }

    private static void percentiles(final ObjectNode node, final Histogram histogram)
    {
        node.put("p50", round(histogram.getValueAtPercentile(50) / 1e6));
        node.put("p95", round(histogram.getValueAtPercentile(95) / 1e6));
        node.put("p99", round(histogram.getValueAtPercentile(99) / 1e6));
        node.put("max", round(histogram.getMaxValue() / 1e6));
    }

    private static double round(final double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }
}
