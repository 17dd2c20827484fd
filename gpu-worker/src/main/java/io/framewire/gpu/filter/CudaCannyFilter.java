package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudaimgproc.CannyEdgeDetector;

/** {@code canny} on CUDA: same thresholds, aperture and L1 gradient as the CPU's. */
final class CudaCannyFilter implements CudaFilter
{
    private final CannyEdgeDetector detector;
    private final GpuMat grey = new GpuMat();

    CudaCannyFilter(final Params params)
    {
        detector = opencv_cudaimgproc.createCannyEdgeDetector(params.real("low"), params.real("high"),
            params.integer("aperture"), false);
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        detector.detect(CudaGrayView.of(source, grey, stream), target, stream);
    }

    @Override
    public void close()
    {
        detector.close();
        grey.close();
    }
}
