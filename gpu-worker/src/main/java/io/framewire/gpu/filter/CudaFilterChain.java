package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.FilterDef;
import io.framewire.worker.filter.FrameFilter;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Event;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pipeline on the GPU, with the CPU chain's contract: BGR in, BGR of the same size out, steps that compare with
 * the previous frame see it passed through the same earlier steps. The frame goes up once and comes down once; in
 * between every step runs on the device. The previous frame's pass runs on a second stream with its own filter
 * instances, so its upload and its earlier steps overlap with the current frame's; an event orders the two before
 * the step that compares them. A step without a usable CUDA twin runs its CPU filter through {@link HostStep}.
 */
public final class CudaFilterChain implements FilterChain
{
    private static final Logger LOG = LoggerFactory.getLogger(CudaFilterChain.class);
    /** Each reason a step runs on the CPU is logged once per process, not once per job. */
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private final String spec;
    private final CudaFilter[] steps;
    private final CudaFilter[] previousSteps;
    private final FilterDef[] defs;
    private final int lastStepNeedingPrevious;
    private final Stream stream = new Stream();
    private final Stream previousStream = new Stream();
    private final Event previousReady = new Event();
    private final GpuMat input = new GpuMat();
    private final GpuMat previousInput = new GpuMat();
    private final GpuMat[] current = {new GpuMat(), new GpuMat()};
    private final GpuMat[] previous = {new GpuMat(), new GpuMat()};
    private final GpuMat result = new GpuMat();
    private final Detections detections = new Detections();
    private final Detections previousDetections = new Detections();

    private CudaFilterChain(final Pipeline pipeline, final List<CudaFilter> steps,
        final List<CudaFilter> previousSteps)
    {
        this.spec = pipeline.spec();
        this.steps = steps.toArray(CudaFilter[]::new);
        this.previousSteps = previousSteps.toArray(CudaFilter[]::new);
        this.defs = pipeline.steps().stream().map(Pipeline.Step::def).toArray(FilterDef[]::new);
        this.lastStepNeedingPrevious = pipeline.lastStepNeedingPrevious();
    }

    /** Builds the chain, each step on CUDA where this host can, on the CPU otherwise (said once, in the log). */
    public static FilterChain build(final Pipeline pipeline, final CudaModules selection)
    {
        final List<Pipeline.Step> stepDefs = pipeline.steps();
        final int last = pipeline.lastStepNeedingPrevious();
        final List<CudaFilter> steps = new ArrayList<>();
        final List<CudaFilter> previousSteps = new ArrayList<>();
        try
        {
            for (int i = 0; i < stepDefs.size(); i++)
            {
                steps.add(step(stepDefs.get(i), selection));
                if (i < last)
                {
                    previousSteps.add(step(stepDefs.get(i), selection));
                }
            }
            return new CudaFilterChain(pipeline, steps, previousSteps);
        }
        catch (final RuntimeException ex)
        {
            steps.forEach(CudaFilter::close);
            previousSteps.forEach(CudaFilter::close);
            throw ex;
        }
    }

    private static CudaFilter step(final Pipeline.Step step, final CudaModules selection)
    {
        String why = CudaFilters.whyOnCpu(step, selection);
        if (why == null)
        {
            try
            {
                return CudaFilters.twin(step).factory().apply(step.params());
            }
            catch (final Throwable ex)
            {
                // The first call into a module can still fail where the probe's small one passed (memory, a
                // cascade the CUDA classifier refuses): the step runs on the CPU and the job goes on.
                why = "its CUDA twin failed to start: " + ex;
            }
        }
        final String line = step.def().name() + " runs on the CPU: " + why;
        if (SAID.add(line))
        {
            LOG.warn("{}", line);
        }
        final FrameFilter cpu = step.def().factory().create(step.params());
        return new HostStep(cpu);
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
    public Detections apply(final Mat frame, final Mat previousFrame, final Mat output)
    {
        detections.clear();
        input.upload(frame, stream);
        GpuMat sourceBefore = null;
        if (previousFrame != null && lastStepNeedingPrevious >= 0)
        {
            previousInput.upload(previousFrame, previousStream);
            sourceBefore = previousInput;
        }
        GpuMat source = input;
        int channels = frame.channels();
        for (int i = 0; i < steps.length; i++)
        {
            final CudaFilter step = steps[i];
            channels = defs[i].output().channels(channels);
            final boolean comparing = defs[i].needsPrevious();
            final GpuMat target = current[i & 1];
            if (sourceBefore != null && comparing)
            {
                previousReady.record(previousStream);
                stream.waitEvent(previousReady);
            }
            step.apply(source, target, comparing ? sourceBefore : null, detections, stream);
            if (sourceBefore != null && i < lastStepNeedingPrevious)
            {
                final GpuMat targetBefore = previous[i & 1];
                previousDetections.clear();
                previousSteps[i].apply(sourceBefore, targetBefore, null, previousDetections, previousStream);
                sourceBefore = targetBefore;
            }
            source = target;
        }
        if (channels == 1)
        {
            opencv_cudaimgproc.cvtColor(source, result, opencv_imgproc.COLOR_GRAY2BGR, 0, stream);
            source = result;
        }
        source.download(output, stream);
        stream.waitForCompletion();
        return detections;
    }

    @Override
    public void close()
    {
        for (final CudaFilter step : steps)
        {
            step.close();
        }
        for (final CudaFilter step : previousSteps)
        {
            step.close();
        }
        input.close();
        previousInput.close();
        for (final GpuMat mat : current)
        {
            mat.close();
        }
        for (final GpuMat mat : previous)
        {
            mat.close();
        }
        result.close();
        previousReady.close();
        stream.close();
        previousStream.close();
    }
}
