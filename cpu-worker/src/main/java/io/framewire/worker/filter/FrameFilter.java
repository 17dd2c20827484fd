package io.framewire.worker.filter;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One step of a filter pipeline. Implementations allocate their native objects once and reuse them, so
 * {@link #apply} allocates nothing per frame once the frame size is known. The GPU worker implements the same
 * interface.
 */
public interface FrameFilter extends AutoCloseable
{
    /** The step in canonical form, with every parameter, e.g. {@code gaussian:ksize=7,sigma=0}. */
    String spec();

    /**
     * @param source  an 8-bit frame with 1 (grey) or 3 (BGR) channels; not modified.
     * @param target  receives the result, same size as {@code source},
         as many channels as its {@link FilterDef#output()} says.
     * @param context the previous frame at this step and where detections go.
     */
    void apply(Mat source, Mat target, FilterContext context);



    @Override
    void close();
}
