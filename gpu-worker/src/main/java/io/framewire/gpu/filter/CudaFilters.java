package io.framewire.gpu.filter;

import io.framewire.worker.filter.BlazeFaceFilter;
import io.framewire.worker.filter.FilterDef;
import io.framewire.worker.filter.Filters;
import io.framewire.worker.filter.Params;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.opencv.global.opencv_dnn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The CUDA twins of the filters, each registered against its {@link FilterDef} (which holds every other fact about
 * the filter), with the CUDA modules it calls into and the parameters it supports.
 */
final class CudaFilters
{
    /** A CUDA twin: the modules it needs, the parameters it runs (others run on the CPU), and how to make one. */
    record Twin(List<String> modules, Predicate<Params> supports, Function<Params, CudaFilter> factory)
    {
    }

    private static final Map<FilterDef, Twin> TWINS = new HashMap<>();

    static
    {
        register(Filters.GAUSSIAN, List.of("cudafilters"), CudaGaussianBlurFilter::new);
        register(Filters.MEDIAN, List.of("cudafilters", "cudaarithm"), CudaMedianBlurFilter::new);
        register(Filters.BILATERAL, List.of("cudaimgproc"), CudaBilateralFilter::new);
        register(Filters.GRAY, List.of("cudaimgproc"), p -> new CudaGrayFilter());
        register(Filters.CANNY, List.of("cudaimgproc", "cudafilters"), CudaCannyFilter::new);
        register(Filters.SOBEL, List.of("cudafilters", "cudaarithm", "cudaimgproc"), CudaSobelFilter::new);
        TWINS.put(Filters.LAPLACIAN, new Twin(List.of("cudafilters", "cudaarithm", "cudaimgproc"),
            p -> p.integer("ksize") <= CudaLaplacianFilter.MAX_KERNEL_SIZE, CudaLaplacianFilter::new));
        register(Filters.FACES, List.of("cudaobjdetect", "cudaimgproc", "cudawarping"), CudaFaceDetectionFilter::new);
        // The network on the device through OpenCV DNN's CUDA backend; letterboxing and decoding stay on the host.
        register(Filters.BLAZEFACE, List.of("dnn"), p -> new HostStep(new BlazeFaceFilter(p,
            opencv_dnn.DNN_BACKEND_CUDA, opencv_dnn.DNN_TARGET_CUDA)));
        register(Filters.DIFF, List.of("cudaarithm"), CudaFrameDifferenceFilter::new);
        // CUDA has Farneback only: DIS (algorithm 0) runs on the CPU.
        TWINS.put(Filters.FLOW, new Twin(List.of("cudaoptflow", "cudaarithm", "cudaimgproc"),
            p -> p.integer("algorithm") == 1, CudaOpticalFlowFilter::new));
    }

    private CudaFilters()
    {
    }

    private static void register(final FilterDef def, final List<String> modules,
        final Function<Params, CudaFilter> factory)
    {
        TWINS.put(def, new Twin(modules, p -> true, factory));
    }

    /** The twin of a step, or null when CUDA has none for these parameters. */
    static Twin twin(final Pipeline.Step step)
    {
        final Twin twin = TWINS.get(step.def());
        return twin == null || !twin.supports().test(step.params()) ? null : twin;
    }

    /** Why a step runs on the CPU in the GPU worker, or null when it runs on CUDA. */
    static String whyOnCpu(final Pipeline.Step step, final CudaModules selection)
    {
        final Twin twin = twin(step);
        if (twin == null)
        {
            return "OpenCV's CUDA modules have no " + step.params().spec();
        }
        for (final String module : twin.modules())
        {
            if (!selection.moduleUsable(module))
            {
                return module + " cannot run here (" + selection.moduleStatus(module) + ")";
            }
        }
        return null;
    }
}
