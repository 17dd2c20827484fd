package io.framewire.worker.filter;

import io.framewire.codec.sbe.FilterId;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One image operation applied to a frame. Implementations allocate their native objects once and reuse
 * them, so {@link #apply} allocates nothing per frame. The GPU worker implements the same interface.
 */
public interface FrameFilter extends AutoCloseable
{
    FilterId id();

    /** Name reported in a frame's stats, e.g. {@code gaussian_blur}. */
    String name();

    /**
     * @param source an 8-bit BGR frame, not modified.
     * @param target receives an 8-bit BGR frame of the same size; allocated by the caller.
     */
    void apply(Mat source, Mat target);

    @Override
    void close();
}
