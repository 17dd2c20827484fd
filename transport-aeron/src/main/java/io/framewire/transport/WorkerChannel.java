package io.framewire.transport;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.DirectBuffer;

/**
 * The server's side of one worker: the publication its tasks go to, its credit (the most tasks it holds at
 * once) and what its heartbeats said. Used only from the server's dispatch thread.
 */
public final class WorkerChannel
{
    private final int workerId;
    private final long processId;
    private final boolean embedded;
    private final ExclusivePublication publication;
    private final FrameTaskSender sender;
    private final TokenBucket rate;
    private int credits;
    private int inFlight;
    private long lastHeartbeatNs;
    private long framesDone;
    private long cpuNanos;

    WorkerChannel(final int workerId, final long processId, final boolean embedded,
        final ExclusivePublication publication, final FrameTaskSender sender, final double rateLimit)
    {
        this.rate = new TokenBucket(rateLimit, System.nanoTime());
        this.workerId = workerId;
        this.processId = processId;
        this.embedded = embedded;
        this.publication = publication;
        this.sender = sender;
    }

    void onHeartbeat(final int credits, final long framesDone, final long cpuNanos, final long nowNs)
    {
        this.credits = credits;
        this.framesDone = framesDone;
        this.cpuNanos = cpuNanos;
        this.lastHeartbeatNs = nowNs;
    }

    /** Free credit, within the rate limit, and a connected stream. */
    public boolean hasCredit()
    {
        return inFlight < credits && rate.available(System.nanoTime()) && publication.isConnected();
    }

    /**
     * Offer one task: {@code frameCount} frames of pixels (the frame, then the previous one when the pipeline
     * compares with it) and the canonical pipeline to apply. On success the worker's in-flight count goes up until {@link #onResult()}.
     *
     * @return the publication's result; negative values ({@link Publication#BACK_PRESSURED},
     * {@link Publication#NOT_CONNECTED}, ...) are the caller's to handle.
     */
    public long offerTask(final long jobId, final int frameNumber, final int attempt, final int width,
        final int height, final int frameCount, final long dispatchNanos, final byte[] pipeline,
        final DirectBuffer pixels, final int pixelsOffset, final int pixelsLength)
    {
        final long result = sender.offer(publication, jobId, frameNumber, attempt, width, height, frameCount,
            dispatchNanos, pipeline, pixels, pixelsOffset, pixelsLength);
        if (result > 0)
        {
            inFlight++;
            rate.tryTake(System.nanoTime());
        }
        return result;
    }

    public void onResult()
    {
        if (inFlight > 0)
        {
            inFlight--;
        }
    }

    public int workerId()
    {
        return workerId;
    }

    public long processId()
    {
        return processId;
    }

    /** Runs inside the server's process; used only when no external worker is alive. */
    public boolean embedded()
    {
        return embedded;
    }

    public int inFlight()
    {
        return inFlight;
    }

    public int credits()
    {
        return credits;
    }

    public long lastHeartbeatNs()
    {
        return lastHeartbeatNs;
    }

    public long framesDone()
    {
        return framesDone;
    }

    public long cpuNanos()
    {
        return cpuNanos;
    }


    void close()
    {
        publication.close();
    }
}
