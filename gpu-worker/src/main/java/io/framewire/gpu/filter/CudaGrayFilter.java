package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;

/** {@code gray} on CUDA. */
final class CudaGrayFilter implements CudaFilter
{
    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        if (source.channels() == 1)
        {
            source.copyTo(target, stream);
        }
        else
        {
            opencv_cudaimgproc.cvtColor(source, target, opencv_imgproc.COLOR_BGR2GRAY, 0, stream);
        }
    }

    @Override
    public void close()
    {
    }
}
