package io.framewire.worker.filter;

/** Boxes found in one frame (x, y, width, height, in frame pixels), reused from frame to frame. */
public final class Detections
{
    public static final int MAX = io.framewire.transport.WorkerEndpoint.MAX_DETECTIONS;

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
