package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterContext;
import io.framewire.worker.filter.FrameFilter;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Stream;

/**
 * A step with no CUDA twin here (its module cannot run, or OpenCV's CUDA version lacks those parameters), run by
 * its CPU filter inside a CUDA chain: the frame comes down, is filtered on the host and goes back up.
 */
final class HostStep implements CudaFilter
{
    private final FrameFilter filter;
    private final Mat source = new Mat();
    private final Mat target = new Mat();
    private final Mat previous = new Mat();
    private final FilterContext context = new FilterContext();

    HostStep(final FrameFilter filter)
    {
        this.filter = filter;
    }

    @Override
    public void apply(final GpuMat gpuSource, final GpuMat gpuTarget, final GpuMat gpuPrevious,
        final Detections detections, final Stream stream)
    {
        gpuSource.download(source, stream);
        if (gpuPrevious != null)
        {
            gpuPrevious.download(previous, stream);
        }
        stream.waitForCompletion();
        context.detections().clear();
        context.previous(gpuPrevious == null ? null : previous);
        filter.apply(source, target, context);
        final Detections found = context.detections();
        for (int i = 0; i < found.count(); i++)
        {
            detections.addFrom(found, i);
        }
        gpuTarget.upload(target, stream);
    }

    @Override
    public void close()
    {
        filter.close();
        source.close();
        target.close();
        previous.close();
    }
}
