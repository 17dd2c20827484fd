package io.framewire.worker.filter;

import io.framewire.transport.FrameOutcome;
import io.framewire.transport.WorkerEndpoint;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * What a frame's detectors found, reused from frame to frame: per box x, y, width, height in frame pixels, a score
 * in thousandths (or {@link FrameOutcome#NO_SCORE}) and six keypoints, laid out as {@link FrameOutcome} carries them.
 */
public final class Detections
{
    public static final int MAX = WorkerEndpoint.MAX_DETECTIONS;
    private static final int VALUES = FrameOutcome.DETECTION_VALUES;

    private final int[] boxes = new int[MAX * VALUES];
    private int count;

    public void clear()
    {
        count = 0;
    }

    /** Adds a box with no score; boxes past {@link #MAX} are dropped. */
    public void add(final int x, final int y, final int width, final int height)
    {
        add(x, y, width, height, FrameOutcome.NO_SCORE, null, 0);
    }

    /**
     * Adds a box with its score in thousandths and its keypoints ({@code 2 * KEYPOINTS} values from
     * {@code keypoints[from]}; null for none); boxes past {@link #MAX} are dropped.
     */
    public void add(final int x, final int y, final int width, final int height, final int score,
        final int[] keypoints, final int from)
    {
        if (count < MAX)
        {
            final int i = count * VALUES;
            boxes[i] = x;
            boxes[i + 1] = y;
            boxes[i + 2] = width;
            boxes[i + 3] = height;
            boxes[i + 4] = score;
            for (int k = 0; k < 2 * FrameOutcome.KEYPOINTS; k++)
            {
                boxes[i + 5 + k] = keypoints == null ? 0 : keypoints[from + k];
            }
            count++;
        }
    }

    /** Adds box {@code index} of {@code other}, all of it. */
    public void addFrom(final Detections other, final int index)
    {
        final int i = index * VALUES;
        add(other.boxes[i], other.boxes[i + 1], other.boxes[i + 2], other.boxes[i + 3], other.boxes[i + 4],
            other.boxes, i + 5);
    }

    /**
     * Adds a box found on a copy of the frame scaled by {@code 1 / back}, mapped back to frame pixels, and writes the
     * mapped box (x, y, width, height) into {@code box} for the caller to draw, also when the list is full.
     */
    public void addScaled(final Rect found, final double back, final int[] box)
    {
        box[0] = (int)Math.round(found.x() * back);
        box[1] = (int)Math.round(found.y() * back);
        box[2] = (int)Math.round(found.width() * back);
        box[3] = (int)Math.round(found.height() * back);
        add(box[0], box[1], box[2], box[3]);
    }

    /** Each box's {@link FrameOutcome#DETECTION_VALUES} values in turn; {@link #count()} boxes are valid. */
    public int[] boxes()
    {
        return boxes;
    }

    public int count()
    {
        return count;
    }

    public int x(final int index)
    {
        return boxes[index * VALUES];
    }

    public int y(final int index)
    {
        return boxes[index * VALUES + 1];
    }

    public int width(final int index)
    {
        return boxes[index * VALUES + 2];
    }

    public int height(final int index)
    {
        return boxes[index * VALUES + 3];
    }

    /** The box's score in thousandths, or {@link FrameOutcome#NO_SCORE}. */
    public int score(final int index)
    {
        return boxes[index * VALUES + 4];
    }

    /** Keypoint {@code k}'s x (then y at {@code k} + 1 of the same box), for k in 0, 2, ... 10. */
    public int keypoint(final int index, final int k)
    {
        return boxes[index * VALUES + 5 + k];
    }
}
