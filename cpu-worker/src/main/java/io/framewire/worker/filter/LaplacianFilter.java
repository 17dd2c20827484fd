package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Absolute Laplacian of the grey image, times {@code scale}, saturated to 8 bits. */
public final class LaplacianFilter implements FrameFilter
{
    private final int kernelSize;
    private final double scale;
    private final String spec;
    private final Mat grey = new Mat();
    private final Mat laplacian = new Mat();

    public LaplacianFilter(final Params params)
    {
        this.kernelSize = params.integer("ksize");
        this.scale = params.real("scale");
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
        opencv_imgproc.Laplacian(GrayView.of(source, grey), laplacian, opencv_core.CV_16S, kernelSize, 1, 0,
            opencv_core.BORDER_DEFAULT);
        opencv_core.convertScaleAbs(laplacian, target, scale, 0);
    }

    @Override
    public void close()
    {
        grey.close();
        laplacian.close();
    }
}
