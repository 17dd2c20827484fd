package io.framewire.server.job;

import org.agrona.collections.IntArrayQueue;

import java.util.concurrent.TimeUnit;

/**
 * The dispatch thread's bookkeeping for a job's frames in flight, one entry per {@link FrameRing} slot: which worker
 * has a frame, since when, after how many attempts, when a frame waiting to be sent again may go, and how much of
 * its result has arrived. Written and read by the dispatch thread only, except the counters.
 */
public final class FrameSlots
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

    private final FrameRing ring;
    private final int[] attempts;
    private final int[] workerOf;
    private final int[] lastWorkerOf;
    private final long[] sentAtNs;
    private final long[] notBeforeNs;
    private final int[] resultWorker;
    private final int[] resultBytes;
    private final IntArrayQueue redispatch = new IntArrayQueue();
    private long sendingFrame = -1;
    private volatile long dispatched;
    private volatile long retries;

    public FrameSlots(final FrameRing ring)
    {
        this.ring = ring;
        this.dispatched = ring.firstFrame();
        final int capacity = ring.capacity();
        attempts = new int[capacity];
        workerOf = new int[capacity];
        lastWorkerOf = new int[capacity];
        sentAtNs = new long[capacity];
        notBeforeNs = new long[capacity];
        resultWorker = new int[capacity];
        resultBytes = new int[capacity];
    }

    /** Frames sent to a worker at least once; the next new frame to send. */
    public long dispatched()
    {
        return dispatched;
    }

    /** Frames sent again after their worker died, timed out or failed them. */
    public long retries()
    {
        return retries;
    }

    /** The frame whose task is partly sent, or -1; its slot must not change meanwhile. */
    public void sendingFrame(final long frameNumber)
    {
        sendingFrame = frameNumber;
    }

    public long sendingFrame()
    {
        return sendingFrame;
    }

    /** A frame left for a worker for the first time: always frame {@link #dispatched()}. */
    public void onFirstDispatch(final int workerId, final long nowNs)
    {
        final int slot = ring.slotOf(dispatched);
        attempts[slot] = 1;
        workerOf[slot] = workerId;
        lastWorkerOf[slot] = workerId;
        sentAtNs[slot] = nowNs;
        dispatched++;
    }

    /** A frame waiting to be sent again left: it is taken off the queue. */
    public void onRedispatch(final long frameNumber, final int workerId, final long nowNs)
    {
        final int slot = ring.slotOf(frameNumber);
        redispatch.poll();
        attempts[slot]++;
        workerOf[slot] = workerId;
        lastWorkerOf[slot] = workerId;
        sentAtNs[slot] = nowNs;
        retries++;
    }

    /**
     * Queue a frame to be sent again, after an exponential backoff so a frame that fails at once on every worker does
     * not spin. A frame already waiting stays as it is.
     *
     * @return false when the frame has had {@link #MAX_ATTEMPTS} attempts: the job must fail.
     */
    public boolean requeue(final long frameNumber, final long nowNs)
    {
        final int slot = ring.slotOf(frameNumber);
        if (workerOf[slot] == NO_WORKER)
        {
            return true;
        }
        if (attempts[slot] >= MAX_ATTEMPTS)
        {
            return false;
        }
        workerOf[slot] = NO_WORKER;
        notBeforeNs[slot] = nowNs + Math.min(RETRY_BACKOFF_MAX_NS, RETRY_BACKOFF_NS << (attempts[slot] - 1));
        redispatch.add((int)frameNumber);
        return true;
    }

    /**
     * The next frame to send at {@code nowNs}: the oldest frame waiting to be sent again once its backoff is over,
     * else the next new frame once journaled; -1 for none now.
     */
    public long nextFrame(final long nowNs)
    {
        while (!redispatch.isEmpty())
        {
            final int frame = redispatch.peek();
            if (ring.isCompleted(frame))
            {
                redispatch.poll(); // a late result arrived meanwhile
                continue;
            }
            if (notBeforeNs[ring.slotOf(frame)] <= nowNs)
            {
                return frame;
            }
            break; // backing off; new frames may go meanwhile
        }
        return dispatched < ring.journaled() ? dispatched : -1;
    }

    /**
     * A part of a frame's result, {@code length} bytes at {@code offset}, may be written to its slot. A result is
     * taken from one worker at a time, in order: a first part starts over (another worker's result for the same frame
     * replaces a half-received one), any other part must follow the last one taken.
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

    public int attempts(final long frameNumber)
    {
        return attempts[ring.slotOf(frameNumber)];
    }

    public int workerOf(final long frameNumber)
    {
        return workerOf[ring.slotOf(frameNumber)];
    }

    /** The worker the frame was last sent to, still known while it waits to be sent again. */
    public int lastWorkerOf(final long frameNumber)
    {
        return lastWorkerOf[ring.slotOf(frameNumber)];
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

    /** True for a frame out at a worker now (not waiting to be sent again). */
    public boolean atWorker(final long frameNumber)
    {
        return inFlight(frameNumber) && workerOf(frameNumber) != NO_WORKER;
    }
}
