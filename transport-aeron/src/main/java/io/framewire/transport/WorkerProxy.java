package io.framewire.transport;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.framewire.codec.sbe.FrameEncoding;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The server's proxy of one worker: the publication its tasks go to, its credit (the most tasks it holds at
 * once) and what its heartbeats said. Used only from the server's dispatch thread.
 */
public final class WorkerProxy
{
    private final int workerId;
    private final long processId;
    private final boolean embedded;
    private final ExclusivePublication publication;
    private final FrameTaskSender sender = new FrameTaskSender();
    private final TokenBucket rate;
    private final NanoClock clock;
    private final FrameEncoding frameEncoding;
    private ByteBuffer compressedTask = ByteBuffer.allocateDirect(0);
    private final UnsafeBuffer compressedTaskView = new UnsafeBuffer(0, 0);
    private ByteBuffer compressedResult = ByteBuffer.allocateDirect(0);
    private int credits;
    private int inFlight;
    private long lastHeartbeatNs;
    private long framesDone;
    private long cpuNanos;
    private int failuresInARow;
    private long restedUntilNs;

    WorkerProxy(final int workerId, final long processId, final boolean embedded,
        final ExclusivePublication publication, final double rateLimit, final FrameEncoding frameEncoding,
        final NanoClock clock)
    {
        this.frameEncoding = frameEncoding;
        this.clock = clock;
        this.rate = new TokenBucket(rateLimit, clock.nanoTime());
        this.workerId = workerId;
        this.processId = processId;
        this.embedded = embedded;
        this.publication = publication;
    }

    void onHeartbeat(final int credits, final long framesDone, final long cpuNanos, final long nowNs)
    {
        this.credits = credits;
        this.framesDone = framesDone;
        this.cpuNanos = cpuNanos;
        this.lastHeartbeatNs = nowNs;
    }

    /**
     * Free credit, within the rate limit, and a connected stream with room for a task of {@code taskBytes} (or
     * a quarter of a term for larger ones; the window may be only half a term): so a task is rarely stopped
     * part-way by back pressure.
     */
    public boolean hasCredit(final int taskBytes)
    {
        return inFlight < credits && rate.available(clock.nanoTime()) && publication.isConnected() &&
            publication.availableWindow() > Math.min(taskBytes + (taskBytes >> 8) + 4096,
                publication.termBufferLength() / 4);
    }

    /**
     * Offer one task: {@code frameCount} frames of pixels (the frame, then the previous one when the pipeline
     * compares with it) and the canonical pipeline to apply, in parts. On success the worker's in-flight count
     * goes up until {@link #onResult()}. When it fails with some parts already out ({@link #partlySent()}), the
     * caller must finish it with {@link #continueTask()} before offering this worker anything else.
     *
     * @return the publication's result; negative values ({@link Publication#BACK_PRESSURED},
     * {@link Publication#NOT_CONNECTED}, ...) are the caller's to handle.
     */
    public long offerTask(final TaskHeader task, final byte[] pipeline, final DirectBuffer pixels,
        final int pixelsOffset, final int pixelsLength)
    {
        if (frameEncoding == FrameEncoding.LZ4)
        {
            // The worker asked for compressed frames (a slow link): compress into this worker's own buffer,
            // which stays untouched until the task is all sent.
            final int bound = FrameCompression.maxCompressedLength(pixelsLength);
            if (compressedTask.capacity() < bound)
            {
                compressedTask = ByteBuffer.allocateDirect(bound);
                compressedTaskView.wrap(compressedTask);
            }
            final int compressed = FrameCompression.compress(pixels, pixelsOffset, pixelsLength, compressedTask);
            return onOffered(sender.offer(publication, task, pipeline, FrameEncoding.LZ4, compressedTaskView, 0,
                compressed));
        }
        return onOffered(sender.offer(publication, task, pipeline, FrameEncoding.BGR24, pixels, pixelsOffset,
            pixelsLength));
    }

    /** How this worker wants its tasks' pixels, and sends its results'. */
    public FrameEncoding frameEncoding()
    {
        return frameEncoding;
    }

    /** Dispatch thread: where this worker's compressed result parts gather, at least {@code capacity} bytes. */
    public ByteBuffer compressedResultBuffer(final int capacity)
    {
        if (compressedResult.capacity() < capacity)
        {
            compressedResult = ByteBuffer.allocateDirect(capacity);
        }
        return compressedResult;
    }

    /** Sends the rest of a task stopped part-way; same results as {@link #offerTask}. */
    public long continueTask()
    {
        return onOffered(sender.sendRemainingParts(publication));
    }

    /** Gives up the task stopped part-way; the worker drops its parts when the next task starts. */
    public void abandonTask()
    {
        sender.abandon();
    }

    /** A task has parts out and parts left to send. */
    public boolean partlySent()
    {
        return sender.partlySent();
    }

    private long onOffered(final long result)
    {
        if (result > 0)
        {
            inFlight++;
            rate.tryTake(clock.nanoTime());
        }
        return result;
    }

    /**
     * A result's status: a worker that fails {@link TransportConfig#REST_AFTER_FAILURES} frames in a row is rested
     * for {@link TransportConfig#REST_NS}, and gets no work meanwhile while another worker can take it.
     */
    public void onOutcome(final boolean ok, final long nowNs)
    {
        if (ok)
        {
            failuresInARow = 0;
        }
        else if (++failuresInARow >= TransportConfig.REST_AFTER_FAILURES)
        {
            failuresInARow = 0;
            restedUntilNs = nowNs + TransportConfig.REST_NS;
        }
    }

    /** Resting after failing frames in a row. */
    public boolean rested()
    {
        return clock.nanoTime() < restedUntilNs;
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
        sender.abandon();
        publication.close();
    }
}
