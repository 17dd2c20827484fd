package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Converts to one grey channel; a no-op copy for a frame that is grey already. */
public final class GrayFilter implements FrameFilter
{
    @Override
    public String spec()
    {
        return "gray";
    }

    @Override
    public void apply(final Mat source, final Mat target, final FilterContext context)
    {
        if (source.channels() == 1)
        {
            source.copyTo(target);
        }
        else
        {
            opencv_imgproc.cvtColor(source, target, opencv_imgproc.COLOR_BGR2GRAY);
        }
    }

    @Override
    public void close()
    {
    }
}
