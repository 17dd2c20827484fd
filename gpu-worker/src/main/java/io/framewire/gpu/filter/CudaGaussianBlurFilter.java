package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudafilters;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudafilters.Filter;

/** {@code gaussian} on CUDA: a separable filter with the CPU's kernel and border (reflect 101). */
final class CudaGaussianBlurFilter implements CudaFilter
{
    private final int kernelSize;
    private final double sigma;
    private Filter filter;
    private int type = -1;

    CudaGaussianBlurFilter(final Params params)
    {
        this.kernelSize = params.integer("ksize");
        this.sigma = params.real("sigma");
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        if (source.type() != type)
        {
            close();
            try (Size kernel = new Size(kernelSize, kernelSize))
            {
                filter = opencv_cudafilters.createGaussianFilter(source.type(), source.type(), kernel, sigma, sigma,
                    opencv_core.BORDER_REFLECT_101, -1);
            }
            type = source.type();
        }
        filter.apply(source, target, stream);
    }

    @Override
    public void close()
    {
        if (filter != null)
        {
            filter.close();
            filter = null;
            type = -1;
        }
    }
}
