package io.framewire.server.job;

import io.framewire.server.journal.FrameJournal;
import io.framewire.codec.ErrorCode;
import io.framewire.server.metrics.LatencyStats;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntArrayQueue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One client's job while its frames are processed: what to do with them, the {@link FrameRing} they pass
 * through, the dispatch thread's bookkeeping for each frame in flight, and the job's measurements.
 *
 * <p>Fields marked "dispatch thread" are written by that thread only; the decoder and encoder see the job through
 * the ring and {@link #failure()}. Counters read by the live metrics are volatile.
 */
public final class Job
{
    /** The first attempt and 3 retries. */
    public static final int MAX_ATTEMPTS = 4;

    /** {@link #workerOf} of a frame waiting to be sent again. */
    public static final int NO_WORKER = -1;

    /** First wait before a frame is sent again; it doubles with each attempt, up to {@link #RETRY_BACKOFF_MAX_NS}. */
    public static final long RETRY_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("framewire.retry.backoff.ms", 100));
    public static final long RETRY_BACKOFF_MAX_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("framewire.retry.backoff.max.ms", 2000));

    /** Most detections kept for the result message; the count goes on past it. */
    public static final int MAX_REPORTED_DETECTIONS = 10_000;

    private final long id;
    private final String processing;
    private final String pipeline;
    private final byte[] pipelineBytes;
    private final int width;
    private final int height;
    private final double frameRate;
    private final FrameRing ring;
    private final FrameJournal journal;
    private volatile long estimatedFrames = -1;
    private volatile InputErrors inputErrors;
    private final long startNs = System.nanoTime();
    private volatile long finishedNs;
    private volatile long firstEncodedNs;
    private volatile JobFailedException failure;
    private final CountDownLatch released = new CountDownLatch(1);
    private final LatencyStats dispatchToResult = new LatencyStats();
    private final LatencyStats decodeToEncode = new LatencyStats();

    // dispatch thread
    private volatile long dispatched;
    private volatile long completed;
    private volatile long retries;
    private volatile long detectionsTotal;
    private final long[] completedAfterAttempts = new long[MAX_ATTEMPTS + 1];
    private final int[] attempts;
    private final int[] workerOf;
    private final long[] sentAtNs;
    private final long[] notBeforeNs;
    private final int[] resultWorker;
    private final int[] resultBytes;
    private long sendingFrame = -1;
    private final IntArrayQueue redispatch = new IntArrayQueue();
    private final Int2ObjectHashMap<WorkerShare> workerShares = new Int2ObjectHashMap<>();
    private final IntArrayList detections = new IntArrayList();
    private long filterNsTotal;
    private long filterNsMax;
    private long workerMemoryMax;

    /** @param pipeline the canonical filter pipeline, sent with every frame. */
    public Job(final long id, final String processing, final String pipeline, final int width, final int height,
        final double frameRate, final FrameRing ring, final FrameJournal journal)
    {
        this.journal = journal;
        this.id = id;
        this.processing = processing;
        this.pipeline = pipeline;
        this.pipelineBytes = pipeline.getBytes(StandardCharsets.UTF_8);
        this.width = width;
        this.height = height;
        this.frameRate = frameRate;
        this.ring = ring;
        attempts = new int[ring.capacity()];
        workerOf = new int[ring.capacity()];
        sentAtNs = new long[ring.capacity()];
        notBeforeNs = new long[ring.capacity()];
        resultWorker = new int[ring.capacity()];
        resultBytes = new int[ring.capacity()];
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

    public FrameJournal journal()
    {
        return journal;
    }

    public FrameRing ring()
    {
        return ring;
    }

    /** Decoder, once decoding ended: what it found wrong with the input. */
    public void inputErrors(final InputErrors errors)
    {
        inputErrors = errors;
    }

    /** Whether no frame of the input is known to be missing: true while decoding goes on. */
    public boolean inputComplete()
    {
        final InputErrors errors = inputErrors;
        return errors == null || errors.complete();
    }

    /** What was wrong with the input, null until decoding ended. */
    public InputErrors inputErrors()
    {
        return inputErrors;
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
        final long end = finishedNs == 0 ? System.nanoTime() : finishedNs;
        return (end - startNs) / 1e9;
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

    /** Done when failed or when every frame is encoded. */
    public boolean finished()
    {
        final long total = ring.totalFrames();
        return failure != null || (total >= 0 && ring.encoded() == total);
    }

    /** Runner: the job's stages have all stopped. */
    public void markFinished()
    {
        finishedNs = System.nanoTime();
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

    // ---- dispatch thread ----

    /** Frames sent to a worker at least once. */
    public long dispatched()
    {
        return dispatched;
    }

    /** Frames whose result has arrived. */
    public long completed()
    {
        return completed;
    }

    /** Dispatch thread: the frame whose task is partly sent, or -1; its slot must not change meanwhile. */
    public void sendingFrame(final long frameNumber)
    {
        sendingFrame = frameNumber;
    }

    public long sendingFrame()
    {
        return sendingFrame;
    }

    /**
     * Dispatch thread: a part of a frame's result, {@code length} bytes at {@code offset}, may be written to its
     * slot. A result is taken from one worker at a time, in order: a first part starts over (another worker's
     * result for the same frame replaces a half-received one), any other part must follow the last one taken.
     */
    public boolean acceptResultPart(final long frameNumber, final int workerId, final long offset, final int length)
    {
        final int slot = ring.slotOf(frameNumber);
        if (offset == 0)
        {
            resultWorker[slot] = workerId;
            resultBytes[slot] = 0;
        }
        else if (resultWorker[slot] != workerId || resultBytes[slot] != offset)
        {
            return false;
        }
        resultBytes[slot] += length;
        return true;
    }

    /** Result bytes of this frame taken so far. */
    public int resultBytes(final long frameNumber)
    {
        return resultBytes[ring.slotOf(frameNumber)];
    }

    /** A frame left for a worker for the first time. */
    public void onFirstDispatch(final int workerId, final long nowNs)
    {
        final int slot = ring.slotOf(dispatched);
        attempts[slot] = 1;
        workerOf[slot] = workerId;
        sentAtNs[slot] = nowNs;
        dispatched++;
    }

    /** A frame left again after its worker died, timed out or failed it. */
    public void onRedispatch(final long frameNumber, final int workerId, final long nowNs)
    {
        final int slot = ring.slotOf(frameNumber);
        attempts[slot]++;
        workerOf[slot] = workerId;
        sentAtNs[slot] = nowNs;
        retries++;
    }

    /**
     * Send a frame again: its worker died, timed out or failed it. Fails the job once the frame has had
     * {@link #MAX_ATTEMPTS} attempts.
     */
    public void requeue(final long frameNumber, final String cause, final long nowNs)
    {
        final int slot = ring.slotOf(frameNumber);
        if (workerOf[slot] == NO_WORKER)
        {
            return; // already waiting to be sent again
        }
        if (attempts[slot] >= MAX_ATTEMPTS)
        {
            fail(ErrorCode.PROCESSING_FAILED, "frame " + frameNumber + " failed after " + attempts[slot] +
                " attempts; last cause: " + cause);
            return;
        }
        workerOf[slot] = NO_WORKER;
        // Exponential backoff: a frame that fails at once again on every worker should not spin.
        notBeforeNs[slot] = nowNs + Math.min(RETRY_BACKOFF_MAX_NS, RETRY_BACKOFF_NS << (attempts[slot] - 1));
        redispatch.add((int)frameNumber);
    }

    public int attempts(final long frameNumber)
    {
        return attempts[ring.slotOf(frameNumber)];
    }

    public int workerOf(final long frameNumber)
    {
        return workerOf[ring.slotOf(frameNumber)];
    }

    /** When a frame waiting to be sent again may go. */
    public long notBeforeNs(final long frameNumber)
    {
        return notBeforeNs[ring.slotOf(frameNumber)];
    }

    public long sentAtNs(final long frameNumber)
    {
        return sentAtNs[ring.slotOf(frameNumber)];
    }

    /** True for a frame sent and not yet completed. */
    public boolean inFlight(final long frameNumber)
    {
        return frameNumber >= ring.encoded() && frameNumber < dispatched && !ring.isCompleted(frameNumber);
    }

    /** Frames waiting to be sent again, oldest first. */
    public IntArrayQueue redispatch()
    {
        return redispatch;
    }

    public void onResult(final long frameNumber, final int workerId, final long workerPid, final long nowNs,
        final long filterNs, final long memoryBytes)
    {
        dispatchToResult.record(nowNs - sentAtNs(frameNumber));
        completedAfterAttempts[Math.min(MAX_ATTEMPTS, attempts(frameNumber))]++;
        completed++;
        filterNsTotal += filterNs;
        filterNsMax = Math.max(filterNsMax, filterNs);
        workerMemoryMax = Math.max(workerMemoryMax, memoryBytes);
        WorkerShare share = workerShares.get(workerId);
        if (share == null)
        {
            share = new WorkerShare(workerId, workerPid);
            workerShares.put(workerId, share);
        }
        share.frames++;
    }

    public void onDetection(final long frameNumber, final int x, final int y, final int width, final int height)
    {
        detectionsTotal++;
        if (detections.size() < MAX_REPORTED_DETECTIONS * 5)
        {
            detections.addInt((int)frameNumber);
            detections.addInt(x);
            detections.addInt(y);
            detections.addInt(width);
            detections.addInt(height);
        }
    }

    // ---- encoder thread ----

    public void onEncoded(final long frameNumber, final long nowNs)
    {
        decodeToEncode.record(nowNs - ring.decodedAtNs(frameNumber));
        if (frameNumber == 0)
        {
            firstEncodedNs = nowNs;
        }
    }

    /** Milliseconds from the job's start to its first frame encoded, or -1 before that. */
    public double firstFrameMs()
    {
        final long at = firstEncodedNs;
        return at == 0 ? -1 : (at - startNs) / 1e6;
    }

    // ---- any thread ----

    public LatencyStats dispatchToResult()
    {
        return dispatchToResult;
    }

    public LatencyStats decodeToEncode()
    {
        return decodeToEncode;
    }

    public long retries()
    {
        return retries;
    }

    /** How many frames completed after 1, 2, ... {@link #MAX_ATTEMPTS} attempts (index = attempts). */
    public long[] completedAfterAttempts()
    {
        return completedAfterAttempts.clone();
    }

    public long detectionsTotal()
    {
        return detectionsTotal;
    }

    // ---- read once the job is finished ----

    /** frame, x, y, width, height of each detection in turn, in the order results arrived. */
    public IntArrayList detections()
    {
        return detections;
    }

    public long filterNsTotal()
    {
        return filterNsTotal;
    }

    public long filterNsMax()
    {
        return filterNsMax;
    }

    public long workerMemoryMax()
    {
        return workerMemoryMax;
    }

    public Int2ObjectHashMap<WorkerShare> workerShares()
    {
        return workerShares;
    }

    /** How many of the job's frames one worker processed. */
    public static final class WorkerShare
    {
        public final int workerId;
        public final long processId;
        public long frames;

        WorkerShare(final int workerId, final long processId)
        {
            this.workerId = workerId;
            this.processId = processId;
        }
    }
}
