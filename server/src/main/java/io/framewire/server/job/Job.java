package io.framewire.server.job;

import io.framewire.codec.ErrorCode;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayQueue;

/**
 * One client's job while its frames are processed: what to do with them, the {@link FrameRing} they pass
 * through, the dispatch thread's bookkeeping for each frame in flight, and the job's measurements.
 *
 * <p>Fields marked "dispatch thread" are touched by that thread only; the decoder and encoder see the job
 * through the ring and {@link #failure()}.
 */
public final class Job
{
    /** The first attempt and 3 retries. */
    public static final int MAX_ATTEMPTS = 4;

    /** {@link #workerOf} of a frame waiting to be sent again. */
    public static final int NO_WORKER = -1;

    private final long id;
    private final String pipeline;
    private final byte[] pipelineBytes;
    private final int width;
    private final int height;
    private final FrameRing ring;
    private volatile JobFailedException failure;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    // dispatch thread
    private long dispatched;
    private final int[] attempts;
    private final int[] workerOf;
    private final long[] sentAtNs;
    private final IntArrayQueue redispatch = new IntArrayQueue();
    private final Int2ObjectHashMap<WorkerShare> workerShares = new Int2ObjectHashMap<>();
    private final Histogram dispatchToResultNs = new Histogram(3_600_000_000_000L, 3);
    private final Histogram decodeToEncodeNs = new Histogram(3_600_000_000_000L, 3);
    private long filterNsTotal;
    private long filterNsMax;
    private long workerMemoryMax;
    private long retries;
    private final org.agrona.collections.IntArrayList detections = new org.agrona.collections.IntArrayList();
    private long detectionsTotal;
    private String lastCause = "";

    /** @param pipeline the canonical filter pipeline, sent with every frame. */
    public Job(final long id, final String pipeline, final int width, final int height, final FrameRing ring)
    {
        this.id = id;
        this.pipeline = pipeline;
        this.pipelineBytes = pipeline.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.width = width;
        this.height = height;
        this.ring = ring;
        attempts = new int[ring.capacity()];
        workerOf = new int[ring.capacity()];
        sentAtNs = new long[ring.capacity()];
    }

    public long id()
    {
        return id;
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

    public FrameRing ring()
    {
        return ring;
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

    /** Dispatch thread: the job left the dispatch table and its ring is no longer read there. */
    public void release()
    {
        released.countDown();
    }

    /** Wait until the dispatch thread no longer uses the job; then its ring may be freed. */
    public boolean awaitRelease(final long timeoutMs) throws InterruptedException
    {
        return released.await(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    // ---- dispatch thread ----

    public long dispatched()
    {
        return dispatched;
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
    public void requeue(final long frameNumber, final String cause)
    {
        lastCause = cause;
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
        redispatch.add((int)frameNumber);
    }

    public String lastCause()
    {
        return lastCause;
    }

    public int attempts(final long frameNumber)
    {
        return attempts[ring.slotOf(frameNumber)];
    }

    public int workerOf(final long frameNumber)
    {
        return workerOf[ring.slotOf(frameNumber)];
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
        dispatchToResultNs.recordValue(Math.max(0, nowNs - sentAtNs(frameNumber)));
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

    /** Most detections kept for the result message; the count goes on past it. */
    public static final int MAX_REPORTED_DETECTIONS = 10_000;

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

    /** frame, x, y, width, height of each detection in turn, in the order results arrived. */
    public org.agrona.collections.IntArrayList detections()
    {
        return detections;
    }

    public long detectionsTotal()
    {
        return detectionsTotal;
    }

    // ---- encoder thread ----

    public void onEncoded(final long frameNumber, final long nowNs)
    {
        decodeToEncodeNs.recordValue(Math.max(0, nowNs - ring.decodedAtNs(frameNumber)));
    }

    // ---- read once the job is finished ----

    public Histogram dispatchToResultNs()
    {
        return dispatchToResultNs;
    }

    public Histogram decodeToEncodeNs()
    {
        return decodeToEncodeNs;
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

    public long retries()
    {
        return retries;
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
