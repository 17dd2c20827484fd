package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;

/**
 * One pipeline step on the GPU, the twin of a CPU {@code FrameFilter} with the same name and parameters. All work
 * is queued on the given stream; the chain waits for it once per frame. Implementations create their CUDA objects
 * once per frame type and reuse their GpuMats, so {@link #apply} allocates no device memory after the first frame.
 */
interface CudaFilter extends AutoCloseable
{
    /**
     * @param source     an 8-bit frame with 1 (grey) or 3 (BGR) channels; not modified.
     * @param target     receives the result, same size, as many channels as its {@link FilterDef#output()} says.
     * @param previous   the previous frame as it entered this step, or null (first frame, or not needed).
     * @param detections where boxes found in the frame go.
     */
    void apply(GpuMat source, GpuMat target, GpuMat previous, Detections detections, Stream stream);



    @Override
    void close();
}
