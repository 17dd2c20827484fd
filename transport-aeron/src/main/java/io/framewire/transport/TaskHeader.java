package io.framewire.transport;

/**
 * What identifies a frame task and travels with each of its parts and its result's: the job, the frame, the
 * attempt, the frame size and count, and when the server sent it. A reused value, set field by field.
 */
public final class TaskHeader
{
    private long jobId;
    private int frameNumber;
    private int attempt;
    private int width;
    private int height;
    private int frameCount;
    private long dispatchNanos;

    public TaskHeader jobId(final long jobId)
    {
        this.jobId = jobId;
        return this;
    }

    public long jobId()
    {
        return jobId;
    }

    public TaskHeader frameNumber(final int frameNumber)
    {
        this.frameNumber = frameNumber;
        return this;
    }

    public int frameNumber()
    {
        return frameNumber;
    }

    /** 1 for the first send of a frame, more for a retry. */
    public TaskHeader attempt(final int attempt)
    {
        this.attempt = attempt;
        return this;
    }

    public int attempt()
    {
        return attempt;
    }

    public TaskHeader width(final int width)
    {
        this.width = width;
        return this;
    }

    public int width()
    {
        return width;
    }

    public TaskHeader height(final int height)
    {
        this.height = height;
        return this;
    }

    public int height()
    {
        return height;
    }

    /** Frames of pixels in the task: the frame, then the previous one when the pipeline compares with it. */
    public TaskHeader frameCount(final int frameCount)
    {
        this.frameCount = frameCount;
        return this;
    }

    public int frameCount()
    {
        return frameCount;
    }

    /** The server's clock when it sent the task, echoed in the result. */
    public TaskHeader dispatchNanos(final long dispatchNanos)
    {
        this.dispatchNanos = dispatchNanos;
        return this;
    }

    public long dispatchNanos()
    {
        return dispatchNanos;
    }
}
