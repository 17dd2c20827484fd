package io.framewire.worker;

import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.transport.FrameCompression;
import io.framewire.transport.TaskHeader;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Puts a task together from its parts, the worker-side twin of the server's result collection: checks the first
 * part, builds (or finds) the job's filter chain, and copies each part straight into reused Mats (the frame, then
 * the previous one), or, for compressed tasks, gathers them and decompresses once all are in. The Mats and buffers
 * are reallocated only when the frame size grows or changes.
 */
final class TaskAssembler implements AutoCloseable
{
    /** What a part did. */
    enum Progress
    {
        /** More parts to come, or a stray part dropped. */
        PARTIAL,
        /** The task is all in: {@link #header()}, {@link #chain()} and the Mats are ready. */
        COMPLETE,
        /** The task cannot be processed: {@link #failure()} says why; the header names it. */
        FAILED
    }

    private static final Logger LOG = LoggerFactory.getLogger(TaskAssembler.class);
    /** Two 4K frames: the largest task a worker takes. */
    private static final long MAX_TASK_BYTES = 2L * 4096 * 2160 * 3;

    private final PipelineCache chains;
    private final int[] failFrames;
    private final TaskHeader header = new TaskHeader();
    private final byte[] pipeline = new byte[Pipeline.MAX_SPEC_LENGTH * 4];
    private final UnsafeBuffer inputPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer previousPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer outputPixels = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer compressedInView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer decompressedView = new UnsafeBuffer(0, 0);
    private ByteBuffer compressedIn = ByteBuffer.allocateDirect(0);
    private ByteBuffer decompressed = ByteBuffer.allocateDirect(0);
    private Mat input = new Mat();
    private Mat previous = new Mat();
    private Mat output = new Mat();
    private int width;
    private int height;
    private FilterChain chain;
    private FrameEncoding format = FrameEncoding.BGR24;
    private String failure;
    /** Whether parts of a task are arriving. */
    private boolean assembling;
    private int taskBytes;
    private int received;

    /** @param failFrames frame numbers reported as failed: fault injection for tests and drills. */
    TaskAssembler(final PipelineCache chains, final int[] failFrames)
    {
        this.chains = chains;
        this.failFrames = failFrames.clone();
    }

    /** One part, decoded as far as its header by {@code task} over {@code buffer}, {@code length} bytes at offset. */
    Progress onPart(final FrameTaskDecoder task, final DirectBuffer buffer, final int offset, final int length)
    {
        final long partOffset = task.pixelsOffset();
        if (partOffset == 0)
        {
            if (!start(task))
            {
                return Progress.FAILED;
            }
        }
        else if (!assembling || task.jobId() != header.jobId() || task.frameNumber() != header.frameNumber() ||
            task.attempt() != header.attempt() || partOffset != received)
        {
            LOG.debug("job {} frame {}: part at {} out of sequence, dropped", task.jobId(), task.frameNumber(),
                partOffset);
            return Progress.PARTIAL;
        }
        else
        {
            task.skipPipeline();
        }
        final int partLength = task.pixelsLength();
        final int partStart = task.limit() + FrameTaskDecoder.pixelsHeaderLength();
        if (partStart + partLength > offset + length || received + partLength > taskBytes)
        {
            return fail("a part of " + partLength + " bytes overruns the task");
        }
        if (format == FrameEncoding.LZ4)
        {
            compressedInView.putBytes(received, buffer, partStart, partLength);
        }
        else
        {
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
        }
        received += partLength;
        if (received < taskBytes)
        {
            return Progress.PARTIAL;
        }
        assembling = false;
        return format == FrameEncoding.LZ4 && !decompress() ? Progress.FAILED : Progress.COMPLETE;
    }

    /** First part of a task: check it and get ready for its pixels. */
    private boolean start(final FrameTaskDecoder task)
    {
        assembling = false;
        header.jobId(task.jobId())
            .frameNumber(task.frameNumber())
            .attempt(task.attempt())
            .width(task.width())
            .height(task.height())
            .frameCount(task.frameCount())
            .dispatchNanos(task.dispatchNanos());
        final long total = task.pixelsTotal();
        final int pipelineLength = task.pipelineLength();
        if (pipelineLength > pipeline.length)
        {
            fail("pipeline text too long");
            return false;
        }
        task.getPipeline(pipeline, 0, pipelineLength);
        final int frameCount = header.frameCount();
        final long frameBytes = (long)header.width() * header.height() * 3;
        format = task.frameEncoding();
        final boolean sizeFits = format == FrameEncoding.LZ4 ?
            total > 0 && total <= FrameCompression.maxCompressedLength((int)Math.min(Integer.MAX_VALUE / 2,
                frameBytes * frameCount)) :
            format == FrameEncoding.BGR24 && total == frameBytes * frameCount;
        if ((frameCount != 1 && frameCount != 2) || !sizeFits || header.width() == 0 || header.height() == 0 ||
            frameBytes * frameCount > MAX_TASK_BYTES)
        {
            fail(total + " pixel bytes for " + frameCount + " frames of " + header.width() + "x" + header.height());
            return false;
        }
        for (final int failFrame : failFrames)
        {
            if (failFrame == header.frameNumber())
            {
                fail("fault injected (--fail-frames)");
                return false;
            }
        }
        try
        {
            chain = chains.chainFor(header.jobId(), pipeline, pipelineLength);
        }
        catch (final FilterSpecException | RuntimeException ex)
        {
            fail(ex.getMessage());
            return false;
        }
        fitMats(header.width(), header.height());
        if (format == FrameEncoding.LZ4 && compressedIn.capacity() < total)
        {
            compressedIn = ByteBuffer.allocateDirect((int)total);
            compressedInView.wrap(compressedIn);
        }
        taskBytes = (int)total;
        received = 0;
        assembling = true;
        return true;
    }

    /** A compressed task is all in: its frames go into the Mats. */
    private boolean decompress()
    {
        final int frameBytes = width * height * 3;
        final int expected = frameBytes * header.frameCount();
        if (decompressed.capacity() < expected)
        {
            decompressed = ByteBuffer.allocateDirect(expected);
            decompressedView.wrap(decompressed);
        }
        if (FrameCompression.decompress(compressedIn, received, decompressed, expected) != expected)
        {
            fail("compressed pixels did not decompress to " + expected + " bytes");
            return false;
        }
        inputPixels.putBytes(0, decompressedView, 0, frameBytes);
        if (header.frameCount() == 2)
        {
            previousPixels.putBytes(0, decompressedView, frameBytes, frameBytes);
        }
        return true;
    }

    private Progress fail(final String why)
    {
        assembling = false;
        failure = why;
        return Progress.FAILED;
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

    TaskHeader header()
    {
        return header;
    }

    FilterChain chain()
    {
        return chain;
    }

    String failure()
    {
        return failure;
    }

    Mat input()
    {
        return input;
    }

    /** The previous frame, for a task of two frames; null otherwise. */
    Mat previous()
    {
        return header.frameCount() == 2 ? previous : null;
    }

    Mat output()
    {
        return output;
    }

    /** The output Mat's memory, {@link #frameBytes()} long. */
    UnsafeBuffer outputPixels()
    {
        return outputPixels;
    }

    int frameBytes()
    {
        return width * height * 3;
    }

    @Override
    public void close()
    {
        input.close();
        previous.close();
        output.close();
    }
}
