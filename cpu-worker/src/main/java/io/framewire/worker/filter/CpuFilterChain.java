package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.List;

/**
 * A pipeline's filters, applied in order to a BGR frame and producing a BGR frame of the same size. Steps hand
 * frames to each other through Mats owned by the chain; a grey result is converted back to BGR at the end, so every
 * processing type encodes the same way. Steps that compare with the previous frame see the previous input frame
 * passed through the same earlier steps, so a frame's result depends only on that frame and the one before it.
 */
public final class CpuFilterChain implements FilterChain
{
    private final String spec;
    private final FrameFilter[] filters;
    private final FilterDef.Output[] outputs;
    private final int lastStepNeedingPrevious;
    private final Mat[] current;
    private final Mat[] previous;
    private final Mat grey = new Mat();
    private final FilterContext context = new FilterContext();
    private final FilterContext previousContext = new FilterContext();

    /** @param filters one per step of {@code pipeline}, in order. */
    CpuFilterChain(final Pipeline pipeline, final List<FrameFilter> filters)
    {
        this.spec = pipeline.spec();
        this.filters = filters.toArray(FrameFilter[]::new);
        this.outputs = pipeline.steps().stream().map(step -> step.def().output()).toArray(FilterDef.Output[]::new);
        this.lastStepNeedingPrevious = pipeline.lastStepNeedingPrevious();
        current = new Mat[] {new Mat(), new Mat()};
        previous = new Mat[] {new Mat(), new Mat()};
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public boolean needsPrevious()
    {
        return lastStepNeedingPrevious >= 0;
    }

    @Override
    public Detections apply(final Mat input, final Mat previousInput, final Mat output)
    {
        context.detections().clear();
        Mat source = input;
        Mat sourceBefore = previousInput;
        int channels = input.channels();
        for (int i = 0; i < filters.length; i++)
        {
            final FrameFilter filter = filters[i];
            channels = outputs[i].channels(channels);
            final boolean last = i == filters.length - 1;
            final Mat target = last ? (channels == 3 ? output : grey) : current[i & 1];
            context.previous(sourceBefore);
            filter.apply(source, target, context);
            if (sourceBefore != null && i < lastStepNeedingPrevious)
            {
                // The previous frame goes through the same steps, up to the last one that compares with it.
                final Mat targetBefore = previous[i & 1];
                filter.apply(sourceBefore, targetBefore, previousContext);
                sourceBefore = targetBefore;
            }
            source = target;
        }
        if (channels == 1)
        {
            opencv_imgproc.cvtColor(grey, output, opencv_imgproc.COLOR_GRAY2BGR);
        }
        return context.detections();
    }

    @Override
    public void close()
    {
        for (final FrameFilter filter : filters)
        {
            filter.close();
        }
        for (final Mat mat : current)
        {
            mat.close();
        }
        for (final Mat mat : previous)
        {
            mat.close();
        }
        grey.close();
    }
}
