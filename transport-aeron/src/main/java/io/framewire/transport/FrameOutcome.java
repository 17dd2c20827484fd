package io.framewire.transport;

import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.codec.sbe.TaskStatus;
import org.agrona.DirectBuffer;

/**
 * A worker's answer to one task besides its {@link TaskHeader}: the status, its measurements, the detections
 * and where the result's pixels are. A reused value; the pixels and boxes must stay unchanged until the result is
 * all sent.
 */
public final class FrameOutcome
{
    /**
     * Values per detection in {@link #boxes()}: x, y, width, height, the score in thousandths ({@link #NO_SCORE}
     * for a detector that gives none), then {@link #KEYPOINTS} keypoints as x, y.
     */
    public static final int DETECTION_VALUES = 17;
    public static final int KEYPOINTS = 6;
    public static final int NO_SCORE = -1;

    private static final int[] NO_BOXES = new int[0];

    private TaskStatus status = TaskStatus.OK;
    private long filterNanos;
    private long memoryBytes;
    private int[] boxes = NO_BOXES;
    private int boxCount;
    private FrameEncoding frameEncoding = FrameEncoding.BGR24;
    private DirectBuffer pixels;
    private int pixelsTotal;

    /** A processed frame: its pixels, {@code pixelsTotal} bytes at the start of {@code pixels}. */
    public FrameOutcome ok(final FrameEncoding frameEncoding, final DirectBuffer pixels, final int pixelsTotal)
    {
        this.status = TaskStatus.OK;
        this.frameEncoding = frameEncoding;
        this.pixels = pixels;
        this.pixelsTotal = pixelsTotal;
        return this;
    }

    /** A frame that could not be processed: no pixels, no detections. */
    public FrameOutcome failed()
    {
        this.status = TaskStatus.FAILED;
        this.frameEncoding = FrameEncoding.BGR24;
        this.pixels = null;
        this.pixelsTotal = 0;
        this.filterNanos = 0;
        this.boxes = NO_BOXES;
        this.boxCount = 0;
        return this;
    }

    /** {@code count} detections of {@link #DETECTION_VALUES} values each; at most the endpoint's MAX_DETECTIONS. */
    public FrameOutcome boxes(final int[] boxes, final int count)
    {
        this.boxes = boxes;
        this.boxCount = Math.min(count, WorkerEndpoint.MAX_DETECTIONS);
        return this;
    }

    public FrameOutcome filterNanos(final long filterNanos)
    {
        this.filterNanos = filterNanos;
        return this;
    }

    /** The worker's native memory in use, for the server's metrics. */
    public FrameOutcome memoryBytes(final long memoryBytes)
    {
        this.memoryBytes = memoryBytes;
        return this;
    }

    public TaskStatus status()
    {
        return status;
    }

    public long filterNanos()
    {
        return filterNanos;
    }

    public long memoryBytes()
    {
        return memoryBytes;
    }

    public int[] boxes()
    {
        return boxes;
    }

    public int boxCount()
    {
        return boxCount;
    }

    public FrameEncoding frameEncoding()
    {
        return frameEncoding;
    }

    public DirectBuffer pixels()
    {
        return pixels;
    }

    public int pixelsTotal()
    {
        return pixelsTotal;
    }
}
