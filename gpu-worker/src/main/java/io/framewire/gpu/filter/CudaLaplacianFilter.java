package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudaarithm;
import org.bytedeco.opencv.global.opencv_cudafilters;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudafilters.Filter;

/**
 * {@code laplacian} on CUDA, apertures 1 and 3 (the only ones OpenCV's CUDA Laplacian has; larger ones run on the
 * CPU). CUDA's Laplacian keeps the source type, so it runs on a float copy to keep negative responses, as the CPU's
 * 16-bit one does, before the absolute value is scaled and saturated to 8 bits.
 */
final class CudaLaplacianFilter implements CudaFilter
{
    static final int MAX_KERNEL_SIZE = 3;

    private final double scale;
    private final Filter laplacian;
    private final GpuMat grey = new GpuMat();
    private final GpuMat real = new GpuMat();
    private final GpuMat response = new GpuMat();
    private final GpuMat absolute = new GpuMat();

    CudaLaplacianFilter(final Params params)
    {
        this.scale = params.real("scale");
        try (Scalar zero = Scalar.all(0))
        {
            laplacian = opencv_cudafilters.createLaplacianFilter(opencv_core.CV_32FC1, opencv_core.CV_32FC1,
                params.integer("ksize"), 1, opencv_core.BORDER_REFLECT_101, zero);
        }
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        CudaGrayView.of(source, grey, stream).convertTo(real, opencv_core.CV_32F, stream);
        laplacian.apply(real, response, stream);
        opencv_cudaarithm.abs(response, absolute, stream);
        absolute.convertTo(target, opencv_core.CV_8U, scale, 0, stream);
    }

    @Override
    public void close()
    {
        laplacian.close();
        grey.close();
        real.close();
        response.close();
        absolute.close();
    }
}
