package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Sobel gradient magnitude sqrt(dx² + dy²) of the grey image, times {@code scale}, saturated to 8 bits. */
public final class SobelFilter implements FrameFilter
{
    private final int kernelSize;
    private final double scale;
    private final String spec;
    private final Mat grey = new Mat();
    private final Mat dx = new Mat();
    private final Mat dy = new Mat();
    private final Mat magnitude = new Mat();

    public SobelFilter(final Params params)
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
        final Mat intensity = GrayView.of(source, grey);
        opencv_imgproc.Sobel(intensity, dx, opencv_core.CV_32F, 1, 0, kernelSize, 1, 0, opencv_core.BORDER_DEFAULT);
        opencv_imgproc.Sobel(intensity, dy, opencv_core.CV_32F, 0, 1, kernelSize, 1, 0, opencv_core.BORDER_DEFAULT);
        opencv_core.magnitude(dx, dy, magnitude);
        magnitude.convertTo(target, opencv_core.CV_8U, scale, 0);
    }

    @Override
    public void close()
    {
        grey.close();
        dx.close();
        dy.close();
        magnitude.close();
    }
}
