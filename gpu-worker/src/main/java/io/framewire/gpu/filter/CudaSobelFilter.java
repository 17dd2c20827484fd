package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudaarithm;
import org.bytedeco.opencv.global.opencv_cudafilters;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudafilters.Filter;

/** {@code sobel} on CUDA: float derivatives in x and y, their magnitude, scaled and saturated to 8 bits. */
final class CudaSobelFilter implements CudaFilter
{
    private final double scale;
    private final Filter derivativeX;
    private final Filter derivativeY;
    private final GpuMat grey = new GpuMat();
    private final GpuMat dx = new GpuMat();
    private final GpuMat dy = new GpuMat();
    private final GpuMat magnitude = new GpuMat();

    CudaSobelFilter(final Params params)
    {
        final int kernelSize = params.integer("ksize");
        this.scale = params.real("scale");
        derivativeX = opencv_cudafilters.createSobelFilter(opencv_core.CV_8UC1, opencv_core.CV_32FC1, 1, 0, kernelSize,
            1, opencv_core.BORDER_REFLECT_101, -1);
        derivativeY = opencv_cudafilters.createSobelFilter(opencv_core.CV_8UC1, opencv_core.CV_32FC1, 0, 1, kernelSize,
            1, opencv_core.BORDER_REFLECT_101, -1);
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        final GpuMat intensity = CudaGrayView.of(source, grey, stream);
        derivativeX.apply(intensity, dx, stream);
        derivativeY.apply(intensity, dy, stream);
        opencv_cudaarithm.magnitude(dx, dy, magnitude, stream);
        magnitude.convertTo(target, opencv_core.CV_8U, scale, 0, stream);
    }

    @Override
    public void close()
    {
        derivativeX.close();
        derivativeY.close();
        grey.close();
        dx.close();
        dy.close();
        magnitude.close();
    }
}
