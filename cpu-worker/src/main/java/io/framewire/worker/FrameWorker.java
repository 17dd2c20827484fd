package io.framewire.worker;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.Header;
import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.TaskStatus;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;

/**
 * The frame task loop of a worker: poll tasks from this worker's stream, copy the pixels into reused Mats, run the
 * task's filter pipeline (built once per job, see {@link PipelineCache}) into a reused output Mat, offer the result from that Mat's memory, and heartbeat every
 * {@link TransportConfig#HEARTBEAT_INTERVAL_NS}. Nothing is allocated per frame once the Mats fit the frame size.
 */
public final class FrameWorker implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameWorker.class);

    private final WorkerEndpoint endpoint;
    private final int credits;
    private final IdleStrategy offerIdle;
    private final Runnable onServerConnected;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final FrameTaskDecoder task = new FrameTaskDecoder();
    private final UnsafeBuffer inputPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer previousPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer outputPixels = new UnsafeBuffer(0, 0);
    private final byte[] pipeline = new byte[Pipeline.MAX_SPEC_LENGTH * 4];
    private final PipelineCache chains = new PipelineCache();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    private static final int[] NO_BOXES = new int[0];

    private final int[] failFrames;

    private Mat input = new Mat();
    private Mat previous = new Mat();
    private Mat output = new Mat();
    private int width;
    private int height;
    private long nextHeartbeatNs;
    private long framesDone;
    private long memoryBytes;
    private boolean serverConnected;

    /**
     * @param credits           the most tasks this worker holds at once; the server never sends more.
     * @param offerIdle         how to wait while the server's result stream is back pressured.
     * @param onServerConnected told once, when the server has opened this worker's task stream.
     */
    public FrameWorker(final WorkerEndpoint endpoint, final int credits, final IdleStrategy offerIdle,
        final Runnable onServerConnected)
    {
        this(endpoint, credits, offerIdle, onServerConnected, new int[0]);
    }

    /** @param failFrames frame numbers this worker reports as failed: fault injection for tests and drills. */
    public FrameWorker(final WorkerEndpoint endpoint, final int credits, final IdleStrategy offerIdle,
        final Runnable onServerConnected, final int[] failFrames)
    {
        this.failFrames = failFrames.clone();
        this.endpoint = endpoint;
        this.credits = credits;
        this.offerIdle = offerIdle;
        this.onServerConnected = onServerConnected;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        final long nowNs = System.nanoTime();
        if (nowNs >= nextHeartbeatNs)
        {
            memoryBytes = Pointer.physicalBytes();
            if (endpoint.offerHeartbeat(credits, framesDone, os.getProcessCpuTime()) > 0)
            {
                nextHeartbeatNs = nowNs + TransportConfig.HEARTBEAT_INTERVAL_NS;
            }
            work++;
        }
        if (!serverConnected && endpoint.serverConnected())
        {
            serverConnected = true;
            onServerConnected.run();
        }
        return work + endpoint.tasks().poll(assembler, TransportConfig.FRAGMENT_LIMIT);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header ignored)
    {
        header.wrap(buffer, offset);
        if (header.templateId() != FrameTaskDecoder.TEMPLATE_ID)
        {
            LOG.warn("ignoring message with template {} on the task stream", header.templateId());
            return;
        }
        task.wrapAndApplyHeader(buffer, offset, header);
        final long jobId = task.jobId();
        final int frameNumber = task.frameNumber();
        final int attempt = task.attempt();
        final int frameWidth = task.width();
        final int frameHeight = task.height();
        final int frameCount = task.frameCount();
        final long dispatchNanos = task.dispatchNanos();
        final int pipelineLength = task.pipelineLength();
        if (pipelineLength > pipeline.length)
        {
            fail(jobId, frameNumber, attempt, frameWidth, frameHeight, dispatchNanos, "pipeline text too long");
            return;
        }
        task.getPipeline(pipeline, 0, pipelineLength);
        final int pixelsLength = task.pixelsLength();
        final int pixelsOffset = task.limit() + FrameTaskDecoder.pixelsHeaderLength();
        final int frameBytes = frameWidth * frameHeight * 3;
        if ((frameCount != 1 && frameCount != 2) || pixelsLength != frameBytes * frameCount ||
            pixelsOffset + pixelsLength > offset + length)
        {
            fail(jobId, frameNumber, attempt, frameWidth, frameHeight, dispatchNanos,
                pixelsLength + " pixel bytes for " + frameCount + " frames of " + frameWidth + "x" + frameHeight);
            return;
        }
        for (final int failFrame : failFrames)
        {
            if (failFrame == frameNumber)
            {
                fail(jobId, frameNumber, attempt, frameWidth, frameHeight, dispatchNanos, "fault injected (--fail-frames)");
                return;
            }
        }
        final FilterChain chain;
        try
        {
            chain = chains.chainFor(jobId, pipeline, pipelineLength);
        }
        catch (final FilterSpecException | RuntimeException ex)
        {
            fail(jobId, frameNumber, attempt, frameWidth, frameHeight, dispatchNanos, ex.getMessage());
            return;
        }
        fitMats(frameWidth, frameHeight);
        inputPixels.putBytes(0, buffer, pixelsOffset, frameBytes);
        if (frameCount == 2)
        {
            previousPixels.putBytes(0, buffer, pixelsOffset + frameBytes, frameBytes);
        }

        final long startNs = System.nanoTime();
        final Detections detections;
        try
        {
            detections = chain.apply(input, frameCount == 2 ? previous : null, output);
        }
        catch (final RuntimeException ex)
        {
            fail(jobId, frameNumber, attempt, frameWidth, frameHeight, dispatchNanos, ex.getMessage());
            return;
        }
        final long filterNanos = System.nanoTime() - startNs;

        framesDone++;
        offerResult(jobId, frameNumber, attempt, TaskStatus.OK, frameWidth, frameHeight, dispatchNanos, filterNanos,
            detections.boxes(), detections.count(), frameBytes);
    }

    private void fail(final long jobId, final int frameNumber, final int attempt, final int frameWidth,
        final int frameHeight, final long dispatchNanos, final String why)
    {
        LOG.warn("job {} frame {}: failed: {}", jobId, frameNumber, why);
        offerResult(jobId, frameNumber, attempt, TaskStatus.FAILED, frameWidth, frameHeight, dispatchNanos, 0,
            NO_BOXES, 0, 0);
    }

    private void offerResult(final long jobId, final int frameNumber, final int attempt, final TaskStatus status,
        final int frameWidth, final int frameHeight, final long dispatchNanos, final long filterNanos,
        final int[] boxes, final int boxCount, final int pixelsLength)
    {
        offerIdle.reset();
        while (true)
        {
            final long result = endpoint.offerResult(jobId, frameNumber, attempt, status, frameWidth, frameHeight,
                dispatchNanos, filterNanos, memoryBytes, boxes, boxCount, outputPixels, 0, pixelsLength);
            if (result > 0)
            {
                return;
            }
            if (result == Publication.NOT_CONNECTED || WorkerEndpoint.isFatal(result))
            {
                // The server is gone; it re-dispatches or fails the frame, so dropping the result loses nothing.
                LOG.warn("job {} frame {}: result dropped, server unreachable ({})", jobId, frameNumber, result);
                return;
            }
            offerIdle.idle();
        }
    }

    /** Reallocate the Mats only when the frame size changes. */
    private void fitMats(final int frameWidth, final int frameHeight)
    {
        if (frameWidth == width && frameHeight == height)
        {
            return;
        }
        input.close();
        previous.close();
        output.close();
        input = new Mat(frameHeight, frameWidth, opencv_core.CV_8UC3);
        previous = new Mat(frameHeight, frameWidth, opencv_core.CV_8UC3);
        output = new Mat(frameHeight, frameWidth, opencv_core.CV_8UC3);
        final long bytes = (long)frameWidth * frameHeight * 3;
        inputPixels.wrap(input.data().address(), (int)bytes);
        previousPixels.wrap(previous.data().address(), (int)bytes);
        outputPixels.wrap(output.data().address(), (int)bytes);
        width = frameWidth;
        height = frameHeight;
    }

    @Override
    public void onClose()
    {
        input.close();
        previous.close();
        output.close();
        chains.close();
    }

    @Override
    public String roleName()
    {
        return "frame-worker-" + endpoint.workerId();
    }
}
