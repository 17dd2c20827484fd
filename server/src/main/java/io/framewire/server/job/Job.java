package io.framewire.server.job;

import io.framewire.codec.ErrorCode;
import io.framewire.server.journal.FrameJournal;
import org.agrona.concurrent.NanoClock;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One client's job while its frames are processed: what to do with them, the {@link FrameRing} they pass
 * through, its lifecycle and first failure, the dispatch thread's {@link FrameSlots} and its {@link JobStats}.
 * The decoder and encoder see the job through the ring and {@link #failure()}.
 */
public final class Job
{
    private final long id;
    private final String processing;
    private final String pipeline;
    private final byte[] pipelineBytes;
    private final int width;
    private final int height;
    private final double frameRate;
    private final FrameRing ring;
    private final FrameJournal journal;
    private final FrameSlots slots;
    private final JobStats stats = new JobStats();
    private final NanoClock clock;
    private final long startNs;
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile long estimatedFrames = -1;
    private volatile InputErrors inputErrors;
    private volatile long finishedNs;
    private volatile JobFailedException failure;

    /** @param pipeline the canonical filter pipeline, sent with every frame. */
    public Job(final long id, final String processing, final String pipeline, final int width, final int height,
        final double frameRate, final FrameRing ring, final FrameJournal journal, final NanoClock clock)
    {
        this.id = id;
        this.processing = processing;
        this.pipeline = pipeline;
        this.pipelineBytes = pipeline.getBytes(StandardCharsets.UTF_8);
        this.width = width;
        this.height = height;
        this.frameRate = frameRate;
        this.ring = ring;
        this.journal = journal;
        this.slots = new FrameSlots(ring);
        this.clock = clock;
        this.startNs = clock.nanoTime();
    }

    public long id()
    {
        return id;
    }

    public String processing()
    {
        return processing;
    }

    public String pipeline()
    {
        return pipeline;
    }

    public byte[] pipelineBytes()
    {
        return pipelineBytes;
    }

    public int width()
    {
        return width;
    }

    public int height()
    {
        return height;
    }

    public double frameRate()
    {
        return frameRate;
    }

    public FrameRing ring()
    {
        return ring;
    }

    public FrameJournal journal()
    {
        return journal;
    }

    /** Dispatch thread: each frame's worker, attempts and result parts. */
    public FrameSlots slots()
    {
        return slots;
    }

    public JobStats stats()
    {
        return stats;
    }

    /** Decoder, once decoding ended: what it found wrong with the input. */
    public void inputErrors(final InputErrors errors)
    {
        inputErrors = errors;
    }

    /** What was wrong with the input, null until decoding ended. */
    public InputErrors inputErrors()
    {
        return inputErrors;
    }

    /** Whether no frame of the input is known to be missing: true while decoding goes on. */
    public boolean inputComplete()
    {
        final InputErrors errors = inputErrors;
        return errors == null || errors.complete();
    }

    /** The input container's frame count, for progress before decoding ends; -1 when unknown. */
    public long estimatedFrames()
    {
        return estimatedFrames;
    }

    public void estimatedFrames(final long frames)
    {
        estimatedFrames = frames;
    }

    /** Seconds since the job started, until it finished. */
    public double elapsedSeconds()
    {
        final long end = finishedNs == 0 ? clock.nanoTime() : finishedNs;
        return (end - startNs) / 1e9;
    }

    /** Milliseconds from the job's start to its first frame encoded, or -1 before that. */
    public double firstFrameMs()
    {
        final long at = stats.firstEncodedNs();
        return at == 0 ? -1 : (at - startNs) / 1e6;
    }

    /** First failure wins; every stage stops when it sees one. */
    public void fail(final ErrorCode code, final String message)
    {
        if (failure == null)
        {
            failure = new JobFailedException(code, message);
        }
    }

    public JobFailedException failure()
    {
        return failure;
    }

    /**
     * Dispatch thread: send a frame again, its worker died, timed out or failed it; fails the job once the frame has
     * had {@link FrameSlots#MAX_ATTEMPTS} attempts.
     */
    public void requeue(final long frameNumber, final String cause, final long nowNs)
    {
        if (!slots.requeue(frameNumber, nowNs))
        {
            fail(ErrorCode.PROCESSING_FAILED, "frame " + frameNumber + " failed after " +
                slots.attempts(frameNumber) + " attempts; last cause: " + cause);
        }
    }

    /** Done when failed or when every frame is encoded. */
    public boolean finished()
    {
        final long total = ring.totalFrames();
        return failure != null || (total >= 0 && ring.encoded() == total);
    }

    /** Runner: the job's stages have all stopped. */
    public void markFinished()
    {
        finishedNs = clock.nanoTime();
    }

    public boolean running()
    {
        return finishedNs == 0;
    }

    /** Dispatch thread: the job left the dispatch table and its ring is no longer read there. */
    public void release()
    {
        released.countDown();
    }

    /** Wait until the dispatch thread no longer uses the job; then its ring may be freed. */
    public boolean awaitRelease(final long timeoutMs) throws InterruptedException
    {
        return released.await(timeoutMs, TimeUnit.MILLISECONDS);
    }
}
