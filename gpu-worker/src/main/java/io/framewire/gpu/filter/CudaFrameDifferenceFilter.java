package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_cudaarithm;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Stream;

/** {@code diff} on CUDA: absolute difference with the previous frame, small differences set to 0. */
final class CudaFrameDifferenceFilter implements CudaFilter
{
    private final double threshold;
    private final Scalar black = Scalar.all(0);

    CudaFrameDifferenceFilter(final Params params)
    {
        this.threshold = params.real("threshold");
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        if (previous == null)
        {
            target.create(source.rows(), source.cols(), source.type());
            target.setTo(black, stream);
            return;
        }
        opencv_cudaarithm.absdiff(source, previous, target, stream);
        if (threshold > 0)
        {
            opencv_cudaarithm.threshold(target, target, threshold, 0, opencv_imgproc.THRESH_TOZERO, stream);
        }
    }

    @Override
    public void close()
    {
        black.close();
    }
}
