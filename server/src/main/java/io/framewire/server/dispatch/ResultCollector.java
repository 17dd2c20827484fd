package io.framewire.server.dispatch;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.framewire.codec.sbe.FrameResultDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.codec.sbe.TaskStatus;
import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.FrameSlots;
import io.framewire.server.job.Job;
import io.framewire.transport.FrameCompression;
import io.framewire.transport.FrameOutcome;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerProxy;
import io.framewire.transport.WorkerRegistry;
import io.framewire.transport.WorkerSecret;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import io.framewire.transport.WorkerEndpoint;

/**
 * Reads what workers send: heartbeats go to the {@link WorkerRegistry}, results, part by part, straight into
 * their job's {@link FrameRing} slot. The first good result of a frame wins; late and duplicate ones are dropped, so
 * every
 * frame is taken exactly once. Runs on the dispatch thread, beside {@link FrameDispatcher}.
 */
public final class ResultCollector implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ResultCollector.class);

    private final Subscription results;
    private final JobTable jobs;
    private final WorkerRegistry workers;
    private final NanoClock clock;
    private final WorkerSecret secret;
    private final FragmentHandler handler = this::onFragment;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final FrameResultDecoder result = new FrameResultDecoder();
    private final WorkerHeartbeatDecoder heartbeat = new WorkerHeartbeatDecoder();
    private long resultParts;
    private static final int MAX_BOXES = WorkerEndpoint.MAX_DETECTIONS;

    private final int[] boxes = new int[MAX_BOXES * FrameOutcome.DETECTION_VALUES];
    private final UnsafeBuffer gatheredView = new UnsafeBuffer(0, 0);

    /** @param clock the dispatch thread's clock, updated once per duty cycle by {@link FrameDispatcher}. */
    public ResultCollector(final Subscription results, final JobTable jobs, final WorkerRegistry workers,
        final NanoClock clock)
    {
        this(results, jobs, workers, clock, null);
    }

    /** @param secret what workers on this stream must prove when they heartbeat; null for none. */
    public ResultCollector(final Subscription results, final JobTable jobs, final WorkerRegistry workers,
        final NanoClock clock, final WorkerSecret secret)
    {
        this.results = results;
        this.jobs = jobs;
        this.workers = workers;
        this.clock = clock;
        this.secret = secret;
    }

    @Override
    public int doWork()
    {
        final long before = resultParts;
        results.poll(handler, TransportConfig.FRAGMENT_LIMIT);
        // Heartbeats are no work: they come every 100 ms whether or not frames do, and a collector that counted
        // them would never idle long enough to park long (TransportConfig.pollingIdleStrategy).
        return (int)(resultParts - before);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragment)
    {
        if ((fragment.flags() & FrameDescriptor.UNFRAGMENTED) != FrameDescriptor.UNFRAGMENTED)
        {
            LOG.warn("ignoring a message larger than one fragment on the results stream");
            return;
        }
        header.wrap(buffer, offset);
        switch (header.templateId())
        {
            case WorkerHeartbeatDecoder.TEMPLATE_ID ->
            {
                heartbeat.wrapAndApplyHeader(buffer, offset, header);
                workers.onHeartbeat(heartbeat, clock.nanoTime(), secret);
            }
            case FrameResultDecoder.TEMPLATE_ID ->
            {
                resultParts++;
                onResultPart(buffer, offset, length);
            }
            default -> LOG.warn("ignoring message with template {} on the results stream", header.templateId());
        }
    }

    private void onResultPart(final DirectBuffer buffer, final int offset, final int length)
    {
        result.wrapAndApplyHeader(buffer, offset, header);
        final long jobId = result.jobId();
        final int frame = result.frameNumber();
        final int workerId = result.workerId();
        final TaskStatus status = result.status();
        final int width = result.width();
        final int height = result.height();
        final long filterNanos = result.filterNanos();
        final long memoryBytes = result.memoryBytes();
        final long pixelsTotal = result.pixelsTotal();
        final long partOffset = result.pixelsOffset();
        final boolean compressed = result.frameEncoding() == FrameEncoding.LZ4;
        int boxCount = 0;
        for (final FrameResultDecoder.DetectionsDecoder box : result.detections())
        {
            if (boxCount < MAX_BOXES)
            {
                final int at = boxCount * FrameOutcome.DETECTION_VALUES;
                boxes[at] = box.x();
                boxes[at + 1] = box.y();
                boxes[at + 2] = box.width();
                boxes[at + 3] = box.height();
                final int score = box.score();
                boxes[at + 4] = score == FrameResultDecoder.DetectionsDecoder.scoreNullValue() ?
                    FrameOutcome.NO_SCORE : score;
                for (int k = 0; k < 2 * FrameOutcome.KEYPOINTS; k++)
                {
                    boxes[at + 5 + k] = box.keypoints(k);
                }
                boxCount++;
            }
        }
        final int partLength = result.pixelsLength();
        final int partStart = result.limit() + FrameResultDecoder.pixelsHeaderLength();

        final WorkerProxy worker = workers.get(workerId);
        if (worker != null && partOffset + partLength >= pixelsTotal)
        {
            worker.onResult(); // its last part: the worker has the credit back
            worker.onOutcome(status == TaskStatus.OK, clock.nanoTime());
        }
        final Job job = jobs.get(jobId);
        if (job == null)
        {
            return; // the job ended (failed or cancelled) while this frame was out
        }
        final FrameRing ring = job.ring();
        final FrameSlots slots = job.slots();
        if (frame < ring.encoded() || frame >= slots.dispatched() || ring.isCompleted(frame) ||
            frame == slots.sendingFrame())
        {
            LOG.debug("job {} frame {}: late or duplicate result from worker {} dropped", jobId, frame, workerId);
            return;
        }
        final boolean owner = slots.workerOf(frame) == workerId;
        if (status != TaskStatus.OK)
        {
            if (owner)
            {
                job.requeue(frame, "worker " + workerId + " failed the frame", clock.nanoTime());
            }
            return;
        }
        final long expectedTotal = compressed ? FrameCompression.maxCompressedLength(ring.frameBytes()) :
            ring.frameBytes();
        if (width != job.width() || height != job.height() || (compressed ? pixelsTotal > expectedTotal :
            pixelsTotal != expectedTotal) || partStart + partLength > offset + length ||
            partOffset + partLength > pixelsTotal)
        {
            if (owner)
            {
                job.requeue(frame, "worker " + workerId + " returned " + pixelsTotal + " bytes for " + width + "x" +
                    height, clock.nanoTime());
            }
            return;
        }
        if (compressed && worker == null)
        {
            return; // a worker declared dead: nowhere to gather its parts, and its frames were sent again
        }
        if (!slots.acceptResultPart(frame, workerId, partOffset, partLength))
        {
            return; // the rest of a result another worker's replaced
        }
        if (!compressed)
        {
            ring.result(frame).putBytes((int)partOffset, buffer, partStart, partLength);
            if (slots.resultBytes(frame) < pixelsTotal)
            {
                return;
            }
        }
        else
        {
            // Compressed parts gather in the worker's buffer (one result at a time per worker), then decompress
            // into the slot.
            final ByteBuffer gathered = worker.compressedResultBuffer((int)expectedTotal);
            gatheredView.wrap(gathered);
            gatheredView.putBytes((int)partOffset, buffer, partStart, partLength);
            if (slots.resultBytes(frame) < pixelsTotal)
            {
                return;
            }
            if (FrameCompression.decompress(gathered, (int)pixelsTotal, ring.resultByteBuffer(frame),
                ring.frameBytes()) != ring.frameBytes())
            {
                if (owner)
                {
                    job.requeue(frame, "worker " + workerId + " sent pixels that do not decompress",
                        clock.nanoTime());
                }
                return;
            }
        }
        for (int i = 0; i < boxCount; i++)
        {
            job.stats().onDetection(frame, boxes, i * FrameOutcome.DETECTION_VALUES);
        }
        job.stats().onResult(slots.attempts(frame), workerId, worker == null ? 0 : worker.processId(),
            clock.nanoTime() - slots.sentAtNs(frame), filterNanos, memoryBytes);
        ring.markCompleted(frame);
    }

    @Override
    public String roleName()
    {
        return "result-collector";
    }
}
