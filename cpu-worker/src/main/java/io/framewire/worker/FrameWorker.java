package io.framewire.worker;

import com.sun.management.OperatingSystemMXBean;
import io.aeron.Publication;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.transport.FrameCompression;
import io.framewire.transport.FrameOutcome;
import io.framewire.transport.TaskHeader;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

/**
 * A worker's duty cycle: heartbeat every {@link TransportConfig#HEARTBEAT_INTERVAL_NS}, send what is left of the
 * last result, and otherwise poll this worker's task stream; a task put together by the {@link TaskAssembler} is run
 * through its job's filter chain into a reused Mat, and its result offered from that Mat's memory. A result stopped
 * by back pressure is finished on later duty cycles, before any new task is read, so heartbeats never wait.
 * Nothing is allocated per frame once the Mats fit the frame size.
 */
public final class FrameWorker implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameWorker.class);

    private final WorkerEndpoint endpoint;
    private final int credits;
    private final NanoClock clock;
    private final Runnable onServerConnected;
    private final TaskAssembler assembler;
    private final PipelineCache chains;
    private final ControlledFragmentHandler handler = this::onFragment;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final FrameTaskDecoder task = new FrameTaskDecoder();
    private final FrameOutcome outcome = new FrameOutcome();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    // Compressed result pixels, sized to the largest frame seen, direct, reused.
    private ByteBuffer compressedOut = ByteBuffer.allocateDirect(0);
    private final UnsafeBuffer compressedOutView = new UnsafeBuffer(0, 0);
    private long nextHeartbeatNs;
    private long framesDone;
    private long memoryBytes;
    private boolean serverConnected;

    /**
     * @param credits           the most tasks this worker holds at once; the server never sends more.
     * @param onServerConnected told once, when the server has opened this worker's task stream.
     */
    public FrameWorker(final WorkerEndpoint endpoint, final int credits, final Runnable onServerConnected)
    {
        this(endpoint, credits, onServerConnected, new int[0], Pipeline::build, SystemNanoClock.INSTANCE);
    }

    /**
     * @param failFrames frame numbers this worker reports as failed: fault injection for tests and drills.
     * @param chains     makes the chain that runs a job's pipeline: {@link Pipeline#build()} for the CPU filters.
     * @param clock      when heartbeats are due, and how long filters take.
     */
    public FrameWorker(final WorkerEndpoint endpoint, final int credits, final Runnable onServerConnected,
        final int[] failFrames, final FilterChain.Factory chains, final NanoClock clock)
    {
        this.endpoint = endpoint;
        this.credits = credits;
        this.onServerConnected = onServerConnected;
        this.clock = clock;
        this.chains = new PipelineCache(chains);
        this.assembler = new TaskAssembler(this.chains, failFrames);
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        if (nowNs >= nextHeartbeatNs)
        {
            memoryBytes = Pointer.physicalBytes();
            // Not counted as work: a heartbeat every 100 ms must not keep an idle worker from parking long.
            if (endpoint.offerHeartbeat(credits, framesDone, os.getProcessCpuTime()) > 0)
            {
                nextHeartbeatNs = nowNs + TransportConfig.HEARTBEAT_INTERVAL_NS;
            }
        }
        if (!serverConnected && endpoint.serverConnected())
        {
            serverConnected = true;
            onServerConnected.run();
        }
        if (endpoint.resultPending())
        {
            if (!sent(endpoint.continueResult()))
            {
                return 0;
            }
        }
        return endpoint.tasks().controlledPoll(handler, TransportConfig.FRAGMENT_LIMIT);
    }

    private Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragment)
    {
        if ((fragment.flags() & FrameDescriptor.UNFRAGMENTED) != FrameDescriptor.UNFRAGMENTED)
        {
            LOG.warn("ignoring a message larger than one fragment on the task stream");
            return Action.CONTINUE;
        }
        header.wrap(buffer, offset);
        if (header.templateId() != FrameTaskDecoder.TEMPLATE_ID)
        {
            LOG.warn("ignoring message with template {} on the task stream", header.templateId());
            return Action.CONTINUE;
        }
        task.wrapAndApplyHeader(buffer, offset, header);
        final TaskAssembler.Progress progress = assembler.onPart(task, buffer, offset, length);
        if (progress == TaskAssembler.Progress.PARTIAL)
        {
            return Action.CONTINUE;
        }
        if (progress == TaskAssembler.Progress.FAILED)
        {
            fail(assembler.header(), assembler.failure());
        }
        else
        {
            process();
        }
        // A result left part-way holds the output Mat: read no more tasks until it is all out.
        return endpoint.resultPending() ? Action.BREAK : Action.CONTINUE;
    }

    private void process()
    {
        final TaskHeader head = assembler.header();
        final long startNs = clock.nanoTime();
        final Detections detections;
        try
        {
            detections = assembler.chain().apply(assembler.input(), assembler.previous(), assembler.output());
        }
        catch (final RuntimeException ex)
        {
            fail(head, ex.getMessage());
            return;
        }
        final long filterNanos = clock.nanoTime() - startNs;
        framesDone++;
        final int frameBytes = assembler.frameBytes();
        if (endpoint.frameEncoding() == FrameEncoding.LZ4)
        {
            final int bound = FrameCompression.maxCompressedLength(frameBytes);
            if (compressedOut.capacity() < bound)
            {
                compressedOut = ByteBuffer.allocateDirect(bound);
                compressedOutView.wrap(compressedOut);
            }
            final int compressed = FrameCompression.compress(assembler.outputPixels(), 0, frameBytes, compressedOut);
            outcome.ok(FrameEncoding.LZ4, compressedOutView, compressed);
        }
        else
        {
            outcome.ok(FrameEncoding.BGR24, assembler.outputPixels(), frameBytes);
        }
        outcome.boxes(detections.boxes(), detections.count()).filterNanos(filterNanos).memoryBytes(memoryBytes);
        sent(endpoint.offerResult(head, outcome));
    }

    private void fail(final TaskHeader head, final String why)
    {
        LOG.warn("job {} frame {}: failed: {}", head.jobId(), head.frameNumber(), why);
        sent(endpoint.offerResult(head, outcome.failed().memoryBytes(memoryBytes)));
    }

    /** @return true once the result is all out or given up; false while back pressure holds its rest. */
    private boolean sent(final long result)
    {
        if (result > 0)
        {
            return true;
        }
        if (result == Publication.NOT_CONNECTED || WorkerEndpoint.isFatal(result))
        {
            // The server is gone; it sends the frame again or fails it, so dropping the result loses nothing.
            LOG.warn("a result was dropped: the server is unreachable ({})", result);
            endpoint.abandonResult();
            return true;
        }
        return false; // back pressured or an admin action: the rest goes on the next duty cycle
    }

    @Override
    public void onClose()
    {
        assembler.close();
        chains.close();
    }

    @Override
    public String roleName()
    {
        return "frame-worker-" + endpoint.workerId();
    }
}
