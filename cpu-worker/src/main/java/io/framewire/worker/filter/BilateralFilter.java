package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Bilateral filter: smooths flat areas while keeping edges sharp; the slowest blur (~20 ms at 720p). */
public final class BilateralFilter implements FrameFilter
{
    private final int diameter;
    private final double sigmaColor;
    private final double sigmaSpace;
    private final String spec;

    public BilateralFilter(final Params params)
    {
        this.diameter = params.integer("d");
        this.sigmaColor = params.real("sigma_color");
        this.sigmaSpace = params.real("sigma_space");
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
        opencv_imgproc.bilateralFilter(source, target, diameter, sigmaColor, sigmaSpace);
    }

    @Override
    public void close()
    {
    }
}
