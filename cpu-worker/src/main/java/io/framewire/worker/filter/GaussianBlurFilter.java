package io.framewire.worker.filter;

import io.framewire.codec.sbe.FilterId;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** Gaussian blur with an odd square kernel; sigma 0 lets OpenCV derive it from the kernel size. */
public final class GaussianBlurFilter implements FrameFilter
{
    public static final int DEFAULT_KERNEL_SIZE = 7;

    private final Size kernel;
    private final double sigma;

    public GaussianBlurFilter()
    {
        this(DEFAULT_KERNEL_SIZE, 0);
    }

    public GaussianBlurFilter(final int kernelSize, final double sigma)
    {
        if (kernelSize < 1 || kernelSize % 2 == 0)
        {
            throw new IllegalArgumentException("kernel size must be odd and positive: " + kernelSize);
        }
        this.kernel = new Size(kernelSize, kernelSize);
        this.sigma = sigma;
    }

    @Override
    public FilterId id()
    {
        return FilterId.GAUSSIAN_BLUR;
    }

    @Override
    public String name()
    {
        return "gaussian_blur";
    }

    @Override
    public void apply(final Mat source, final Mat target)
    {
        opencv_imgproc.GaussianBlur(source, target, kernel, sigma);
    }

    @Override
    public void close()
    {
        kernel.close();
    }
}
