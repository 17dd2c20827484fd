package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;

/** {@code bilateral} on CUDA: same diameter, sigmas and border as the CPU's. */
final class CudaBilateralFilter implements CudaFilter
{
    private final int diameter;
    private final float sigmaColor;
    private final float sigmaSpace;

    CudaBilateralFilter(final Params params)
    {
        this.diameter = params.integer("d");
        this.sigmaColor = (float)params.real("sigma_color");
        this.sigmaSpace = (float)params.real("sigma_space");
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        opencv_cudaimgproc.bilateralFilter(source, target, diameter, sigmaColor, sigmaSpace,
            opencv_core.BORDER_REFLECT_101, stream);
    }

    @Override
    public void close()
    {
    }
}
