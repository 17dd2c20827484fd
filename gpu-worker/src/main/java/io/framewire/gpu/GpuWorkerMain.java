package io.framewire.gpu;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.JsonMessages;
import io.framewire.gpu.filter.CudaFilterChain;
import io.framewire.worker.WorkerMain;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;


/**
 * {@code framewire worker --gpu}: probes CUDA once, says in one line what it found, selects OpenCV's CUDA build when
 * a device can run it, and runs the worker with the CUDA filter chains; otherwise the CPU build and filters. The
 * selection happens before this JVM touches any OpenCV class, because JavaCPP picks the native build on first load.
 */
public final class GpuWorkerMain
{
    private GpuWorkerMain()
    {
    }

    public static void main(final String[] args)
    {
        final CudaSelection selection = CudaSelection.probe();
        System.setProperty(CudaSelection.PLATFORM_EXTENSION, selection.usable() ? "-gpu" : "");
        final FilterChain.Factory chains = selection.usable() ?
            pipeline -> CudaFilterChain.build(pipeline, selection) : Pipeline::build;
        if (selection.usable())
        {
            LoggerFactory.getLogger(GpuWorkerMain.class).info("GPU worker: {}; running the CUDA filters",
                selection.reason());
        }
        else
        {
            LoggerFactory.getLogger(GpuWorkerMain.class).warn("GPU worker: {}; running the CPU filters",
                selection.reason());
        }
        System.out.println(selectionJson(selection));
        System.exit(new CommandLine(new WorkerMain(chains)).execute(args));
    }

    static String selectionJson(final CudaSelection selection)
    {
        final ObjectNode event = JsonMessages.MAPPER.createObjectNode()
            .put("event", "gpu_selection")
            .put("cuda_devices", selection.devices())
            .put("device", selection.device())
            .put("filters", selection.usable() ? "cuda" : "cpu")
            .put("reason", selection.reason());
        final ObjectNode modules = event.putObject("modules");
        selection.modules().forEach(modules::put);
        return event.toString();
    }
}
