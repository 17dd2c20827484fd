package io.framewire.gpu.filter;

import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;

/** The grey levels of a frame on the GPU, as the CPU filters' {@code GrayView} does on the host. */
final class CudaGrayView
{
    private CudaGrayView()
    {
    }

    static GpuMat of(final GpuMat source, final GpuMat scratch, final Stream stream)
    {
        if (source.channels() == 1)
        {
            return source;
        }
        opencv_cudaimgproc.cvtColor(source, scratch, opencv_imgproc.COLOR_BGR2GRAY, 0, stream);
        return scratch;
    }
}
