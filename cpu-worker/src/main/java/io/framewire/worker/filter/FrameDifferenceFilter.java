package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Motion as the absolute difference with the previous frame; differences at or below {@code threshold} become 0.
 * The first frame of a video, which has no previous frame, shows no motion.
 */
public final class FrameDifferenceFilter implements FrameFilter
{
    private final double threshold;
    private final String spec;

    public FrameDifferenceFilter(final Params params)
    {
        this.threshold = params.real("threshold");
        this.spec = params.spec();
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public void apply(final Mat source, final Mat target, final FilterContext context)
    {
        final Mat previous = context.previous();
        if (previous == null)
        {
            target.create(source.rows(), source.cols(), source.type());
            target.put(Scalar.all(0));
            return;
        }
        opencv_core.absdiff(source, previous, target);
        if (threshold > 0)
        {
            opencv_imgproc.threshold(target, target, threshold, 0, opencv_imgproc.THRESH_TOZERO);
        }
    }

    @Override
    public void close()
    {
    }
}
