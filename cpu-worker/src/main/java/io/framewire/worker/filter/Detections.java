package io.framewire.worker.filter;

import org.bytedeco.opencv.opencv_core.Rect;
import io.framewire.transport.WorkerEndpoint;

/** Boxes found in one frame (x, y, width, height, in frame pixels), reused from frame to frame. */
public final class Detections
{
    public static final int MAX = WorkerEndpoint.MAX_DETECTIONS;

    private final int[] boxes = new int[MAX * 4];
    private int count;

    public void clear()
    {
        count = 0;
    }

    /** Adds a box; boxes past {@link #MAX} are dropped. */
    public void add(final int x, final int y, final int width, final int height)
    {
        if (count < MAX)
        {
            final int i = count * 4;
            boxes[i] = x;
            boxes[i + 1] = y;
            boxes[i + 2] = width;
            boxes[i + 3] = height;
            count++;
        }
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

    /** x, y, width, height of each box in turn; {@link #count()} boxes are valid. */
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
        return boxes[index * 4];
    }

    public int y(final int index)
    {
        return boxes[index * 4 + 1];
    }

    public int width(final int index)
    {
        return boxes[index * 4 + 2];
    }

    public int height(final int index)
    {
        return boxes[index * 4 + 3];
    }
}
