package io.framewire.gpu.filter;

import io.framewire.gpu.CudaSelection;
import io.framewire.worker.filter.Params;
import io.framewire.worker.filter.Pipeline;

import java.util.List;
import java.util.function.Function;

/** Which CUDA twin runs a pipeline step, and the CUDA modules it needs. */
final class CudaFilters
{
    private CudaFilters()
    {
    }

    /** A CUDA twin and the modules it calls into. */
    record Twin(List<String> modules, Function<Params, CudaFilter> factory)
    {
    }

    /**
     * The twin of a step, or null when CUDA has none for these parameters: Laplacian apertures above 3, and DIS
     * optical flow (CUDA has Farneback only).
     */
    static Twin twin(final Pipeline.Step step)
    {
        final Params params = step.params();
        return switch (step.def().name())
        {
            case "gaussian" -> new Twin(List.of("cudafilters"), CudaGaussianBlur::new);
            case "median" -> new Twin(List.of("cudafilters", "cudaarithm"), CudaMedianBlur::new);
            case "bilateral" -> new Twin(List.of("cudaimgproc"), CudaBilateralFilter::new);
            case "gray" -> new Twin(List.of("cudaimgproc"), p -> new CudaGrayFilter());
            case "canny" -> new Twin(List.of("cudaimgproc", "cudafilters"), CudaCannyFilter::new);
            case "sobel" -> new Twin(List.of("cudafilters", "cudaarithm", "cudaimgproc"), CudaSobelFilter::new);
            case "laplacian" -> params.integer("ksize") > CudaLaplacianFilter.MAX_KERNEL_SIZE ? null :
                new Twin(List.of("cudafilters", "cudaarithm", "cudaimgproc"), CudaLaplacianFilter::new);
            case "faces" -> new Twin(List.of("cudaobjdetect", "cudaimgproc", "cudawarping"), CudaFaceDetection::new);
            case "diff" -> new Twin(List.of("cudaarithm"), CudaFrameDifference::new);
            case "flow" -> params.integer("algorithm") == 0 ? null :
                new Twin(List.of("cudaoptflow", "cudaarithm", "cudaimgproc"), CudaOpticalFlow::new);
            default -> null;
        };
    }

    /** Why a step runs on the CPU in the GPU worker, or null when it runs on CUDA. */
    static String whyOnCpu(final Pipeline.Step step, final CudaSelection selection)
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
                return module + " cannot run here (" + selection.modules().getOrDefault(module, "not probed") + ")";
            }
        }
        return null;
    }
}
