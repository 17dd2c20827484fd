package io.framewire.gpu;

import io.framewire.worker.WorkerMain;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code framewire worker --gpu}: probes CUDA once, says in one line what it found, and runs the worker. The CUDA
 * filters are not built yet, so every outcome runs the CPU filters; the line says so.
 */
public final class GpuWorkerMain
{
    private GpuWorkerMain()
    {
    }

    public static void main(final String[] args)
    {
        final CudaSelection selection = CudaSelection.probe();
        LoggerFactory.getLogger(GpuWorkerMain.class).warn("GPU worker: {}; running the CPU filters{}",
            selection.reason(), selection.devices() > 0 ? " (the CUDA filters are not built yet)" : "");
        System.out.println("{\"event\":\"gpu_selection\",\"cuda_devices\":" + selection.devices() +
            ",\"filters\":\"cpu\",\"reason\":\"" + selection.reason().replace("\\", "\\\\").replace("\"", "\\\"") +
            "\"}");
        System.exit(new CommandLine(new WorkerMain()).execute(args));
    }
}
