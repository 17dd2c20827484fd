package io.framewire.worker.filter;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A pipeline made runnable: its filters applied in order to a BGR frame, producing a BGR frame of the same size.
 * {@link CpuFilterChain} runs them on the CPU; the GPU worker's chain runs them with OpenCV's CUDA modules. Either
 * allocates its native memory once per frame size and reuses it.
 */
public interface FilterChain extends AutoCloseable
{
    /** The pipeline in canonical form. */
    String spec();

    /** True when a step compares with the previous frame, so tasks carry it. */
    boolean needsPrevious();

    /**
     * @param input         BGR frame, not modified.
     * @param previousInput the frame before it, or null for the first frame or when no step needs it.
     * @param output        receives the BGR result; keeps its memory when already of the frame's size and type.
     * @return the detections of this frame, valid until the next call.
     */
    Detections apply(Mat input, Mat previousInput, Mat output);

    @Override
    void close();

    /** Makes the chain for a checked pipeline, e.g. {@link Pipeline#build()} for the CPU filters. */
    @FunctionalInterface
    interface Factory
    {
        FilterChain build(Pipeline pipeline);
    }
}
