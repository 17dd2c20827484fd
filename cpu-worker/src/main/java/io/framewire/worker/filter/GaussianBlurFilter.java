package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** Gaussian blur with an odd square kernel; sigma 0 lets OpenCV derive it from the kernel size. */
public final class GaussianBlurFilter implements FrameFilter
{
    public static final int DEFAULT_KERNEL_SIZE = 7;

    private final Size kernel;
    private final double sigma;
    private final String spec;

    public GaussianBlurFilter(final Params params)
    {
        this.kernel = new Size(params.integer("ksize"), params.integer("ksize"));
        this.sigma = params.real("sigma");
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
        opencv_imgproc.GaussianBlur(source, target, kernel, sigma);
    }

    @Override
    public void close()
    {
        kernel.close();
    }
}
