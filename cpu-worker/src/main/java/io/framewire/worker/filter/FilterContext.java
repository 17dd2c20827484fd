package io.framewire.worker.filter;

import org.bytedeco.opencv.opencv_core.Mat;

/** What a step sees besides its source frame: the previous frame at the same step, and the detection list. */
public final class FilterContext
{
    private final Detections detections = new Detections();
    private Mat previous;

    /** The previous frame as it entered this step, or null for the first frame of a video. */
    public Mat previous()
    {
        return previous;
    }

    public void previous(final Mat previous)
    {
        this.previous = previous;
    }

    public Detections detections()
    {
        return detections;
    }
}
