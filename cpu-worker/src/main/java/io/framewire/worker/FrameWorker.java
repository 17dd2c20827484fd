package io.framewire.worker;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.Publication;
import io.aeron.logbuffer.Header;
import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.PixelFormat;
import io.framewire.transport.FrameCompression;
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
import java.nio.ByteBuffer;

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
    private final FragmentHandler handler = this::onFragment;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final FrameTaskDecoder task = new FrameTaskDecoder();
    private final UnsafeBuffer inputPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer previousPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer outputPixels = new UnsafeBuffer(0, 0);
    private final byte[] pipeline = new byte[Pipeline.MAX_SPEC_LENGTH * 4];
    private final PipelineCache chains;
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    private static final int[] NO_BOXES = new int[0];
    /** Two 4K frames: the largest task a worker takes. */
    private static final long MAX_TASK_BYTES = 2L * 4096 * 2160 * 3;

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

    // The task whose parts are arriving; taskJob is -1 when none.
    private long taskJob = -1;
    private int taskFrame;
    private int taskAttempt;
    private int taskBytes;
    private int received;
    private int taskWidth;
    private int taskHeight;
    private int taskFrameCount;
    private long taskDispatchNanos;
    private FilterChain chain;
    private PixelFormat taskFormat = PixelFormat.BGR24;
    // Compressed pixels on their way in and out; sized to the largest frame seen, direct, reused.
    private ByteBuffer compressedIn = ByteBuffer.allocateDirect(0);
    private final UnsafeBuffer compressedInView = new UnsafeBuffer(0, 0);
    private ByteBuffer decompressed = ByteBuffer.allocateDirect(0);
    private final UnsafeBuffer decompressedView = new UnsafeBuffer(0, 0);
    private ByteBuffer compressedOut = ByteBuffer.allocateDirect(0);
    private final UnsafeBuffer compressedOutView = new UnsafeBuffer(0, 0);

    /**
     * @param credits           the most tasks this worker holds at once; the server never sends more.
     * @param offerIdle         how to wait while the server's result stream is back pressured.
     * @param onServerConnected told once, when the server has opened this worker's task stream.
     */
    public FrameWorker(final WorkerEndpoint endpoint, final int credits, final IdleStrategy offerIdle,
        final Runnable onServerConnected)
    {
        this(endpoint, credits, offerIdle, onServerConnected, new int[0], Pipeline::build);
    }

    /**
     * @param failFrames frame numbers this worker reports as failed: fault injection for tests and drills.
     * @param chains     makes the chain that runs a job's pipeline: {@link Pipeline#build()} for the CPU filters.
     */
    public FrameWorker(final WorkerEndpoint endpoint, final int credits, final IdleStrategy offerIdle,
        final Runnable onServerConnected, final int[] failFrames, final FilterChain.Factory chains)
    {
        this.chains = new PipelineCache(chains);
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
        return work + endpoint.tasks().poll(handler, TransportConfig.FRAGMENT_LIMIT);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragment)
    {
        if ((fragment.flags() & FrameDescriptor.UNFRAGMENTED) != FrameDescriptor.UNFRAGMENTED)
        {
            LOG.warn("ignoring a message larger than one fragment on the task stream");
            return;
        }
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
        final long partOffset = task.pixelsOffset();
        if (partOffset == 0)
        {
            if (!startTask(jobId, frameNumber, attempt))
            {
                return;
            }
        }
        else if (jobId != taskJob || frameNumber != taskFrame || attempt != taskAttempt || partOffset != received)
        {
            LOG.debug("job {} frame {}: part at {} out of sequence, dropped", jobId, frameNumber, partOffset);
            return;
        }
        else
        {
            task.skipPipeline();
        }
        final int partLength = task.pixelsLength();
        final int partStart = task.limit() + FrameTaskDecoder.pixelsHeaderLength();
        if (partStart + partLength > offset + length || received + partLength > taskBytes)
        {
            taskJob = -1;
            fail(jobId, frameNumber, attempt, "a part of " + partLength + " bytes overruns the task");
            return;
        }
        if (taskFormat == PixelFormat.LZ4)
        {
            compressedInView.putBytes(received, buffer, partStart, partLength);
            received += partLength;
            if (received == taskBytes)
            {
                taskJob = -1;
                if (decompressTask(jobId, frameNumber, attempt))
                {
                    process(jobId, frameNumber, attempt);
                }
            }
            return;
        }
        // Straight into the Mats: the frame's bytes first, then the previous frame's.
        final int frameBytes = width * height * 3;
        final int intoInput = Math.max(0, Math.min(partLength, frameBytes - received));
        if (intoInput > 0)
        {
            inputPixels.putBytes(received, buffer, partStart, intoInput);
        }
        if (partLength > intoInput)
        {
            previousPixels.putBytes(received + intoInput - frameBytes, buffer, partStart + intoInput,
                partLength - intoInput);
        }
        received += partLength;
        if (received == taskBytes)
        {
            taskJob = -1;
            process(jobId, frameNumber, attempt);
        }
    }

    /** First part of a task: check it and get ready for its pixels. */
    private boolean startTask(final long jobId, final int frameNumber, final int attempt)
    {
        taskJob = -1;
        taskWidth = task.width();
        taskHeight = task.height();
        taskFrameCount = task.frameCount();
        taskDispatchNanos = task.dispatchNanos();
        final long total = task.pixelsTotal();
        final int pipelineLength = task.pipelineLength();
        if (pipelineLength > pipeline.length)
        {
            fail(jobId, frameNumber, attempt, "pipeline text too long");
            return false;
        }
        task.getPipeline(pipeline, 0, pipelineLength);
        final long frameBytes = (long)taskWidth * taskHeight * 3;
        taskFormat = task.pixelFormat();
        final boolean sizeFits = taskFormat == PixelFormat.LZ4 ?
            total > 0 && total <= FrameCompression.maxCompressedLength((int)Math.min(Integer.MAX_VALUE / 2,
                frameBytes * taskFrameCount)) :
            taskFormat == PixelFormat.BGR24 && total == frameBytes * taskFrameCount;
        if ((taskFrameCount != 1 && taskFrameCount != 2) || !sizeFits || taskWidth == 0 || taskHeight == 0 ||
            frameBytes * taskFrameCount > MAX_TASK_BYTES)
        {
            fail(jobId, frameNumber, attempt,
                total + " pixel bytes for " + taskFrameCount + " frames of " + taskWidth + "x" + taskHeight);
            return false;
        }
        for (final int failFrame : failFrames)
        {
            if (failFrame == frameNumber)
            {
                fail(jobId, frameNumber, attempt, "fault injected (--fail-frames)");
                return false;
            }
        }
        try
        {
            chain = chains.chainFor(jobId, pipeline, pipelineLength);
        }
        catch (final FilterSpecException | RuntimeException ex)
        {
            fail(jobId, frameNumber, attempt, ex.getMessage());
            return false;
        }
        fitMats(taskWidth, taskHeight);
        if (taskFormat == PixelFormat.LZ4 && compressedIn.capacity() < total)
        {
            compressedIn = ByteBuffer.allocateDirect((int)total);
            compressedInView.wrap(compressedIn);
        }
        taskJob = jobId;
        taskFrame = frameNumber;
        taskAttempt = attempt;
        taskBytes = (int)total;
        received = 0;
        return true;
    }

    /** A compressed task is all in: its frames go into the Mats. */
    private boolean decompressTask(final long jobId, final int frameNumber, final int attempt)
    {
        final int frameBytes = width * height * 3;
        final int expected = frameBytes * taskFrameCount;
        if (decompressed.capacity() < expected)
        {
            decompressed = ByteBuffer.allocateDirect(expected);
            decompressedView.wrap(decompressed);
        }
        final int length = FrameCompression.decompress(compressedIn, received, decompressed, expected);
        if (length != expected)
        {
            fail(jobId, frameNumber, attempt, "compressed pixels did not decompress to " + expected + " bytes");
            return false;
        }
        inputPixels.putBytes(0, decompressedView, 0, frameBytes);
        if (taskFrameCount == 2)
        {
            previousPixels.putBytes(0, decompressedView, frameBytes, frameBytes);
        }
        return true;
    }

    private void process(final long jobId, final int frameNumber, final int attempt)
    {
        final long startNs = System.nanoTime();
        final Detections detections;
        try
        {
            detections = chain.apply(input, taskFrameCount == 2 ? previous : null, output);
        }
        catch (final RuntimeException ex)
        {
            fail(jobId, frameNumber, attempt, ex.getMessage());
            return;
        }
        final long filterNanos = System.nanoTime() - startNs;

        framesDone++;
        offerResult(jobId, frameNumber, attempt, TaskStatus.OK, filterNanos, detections.boxes(), detections.count(),
            width * height * 3);
    }

    private void fail(final long jobId, final int frameNumber, final int attempt, final String why)
    {
        LOG.warn("job {} frame {}: failed: {}", jobId, frameNumber, why);
        offerResult(jobId, frameNumber, attempt, TaskStatus.FAILED, 0, NO_BOXES, 0, 0);
    }

    /** Sends a result in parts, waiting out back pressure: a worker holds nothing else to do meanwhile. */
    private void offerResult(final long jobId, final int frameNumber, final int attempt, final TaskStatus status,
        final long filterNanos, final int[] boxes, final int boxCount, final int outputBytes)
    {
        final PixelFormat format = outputBytes > 0 ? endpoint.frameEncoding() : PixelFormat.BGR24;
        UnsafeBuffer pixels = outputPixels;
        int pixelsTotal = outputBytes;
        if (format == PixelFormat.LZ4)
        {
            final int bound = FrameCompression.maxCompressedLength(outputBytes);
            if (compressedOut.capacity() < bound)
            {
                compressedOut = ByteBuffer.allocateDirect(bound);
                compressedOutView.wrap(compressedOut);
            }
            pixelsTotal = FrameCompression.compress(outputPixels, 0, outputBytes, compressedOut);
            pixels = compressedOutView;
        }
        final int partCapacity = endpoint.resultPartCapacity(boxCount);
        int sent = 0;
        do
        {
            final int partLength = Math.min(partCapacity, pixelsTotal - sent);
            offerIdle.reset();
            while (true)
            {
                final long result = endpoint.offerResultPart(jobId, frameNumber, attempt, status, taskWidth,
                    taskHeight, taskDispatchNanos, filterNanos, memoryBytes, boxes, boxCount, format, pixels,
                    pixelsTotal, sent, partLength);
                if (result > 0)
                {
                    break;
                }
                if (result == Publication.NOT_CONNECTED || WorkerEndpoint.isFatal(result))
                {
                    // The server is gone; it re-dispatches or fails the frame, so dropping the result loses nothing.
                    LOG.warn("job {} frame {}: result dropped, server unreachable ({})", jobId, frameNumber, result);
                    return;
                }
                offerIdle.idle();
            }
            sent += partLength;
        }
        while (sent < pixelsTotal);
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
        // A ByteBuffer view, so that LZ4 can compress straight from the Mat.
        outputPixels.wrap(output.data().capacity(bytes).asBuffer());
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
