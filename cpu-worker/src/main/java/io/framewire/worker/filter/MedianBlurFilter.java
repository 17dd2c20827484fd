package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Median blur: each pixel becomes the median of its ksize × ksize neighbourhood; keeps edges, removes speckle. */
public final class MedianBlurFilter implements FrameFilter
{
    private final int kernelSize;
    private final String spec;

    public MedianBlurFilter(final Params params)
    {
        this.kernelSize = params.integer("ksize");
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
        opencv_imgproc.medianBlur(source, target, kernelSize);
    }

    @Override
    public void close()
    {
    }
}
