package io.framewire.gpu;

import io.framewire.gpu.filter.CudaFilterChain;
import io.framewire.worker.WorkerMain;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.util.Map;

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
        final StringBuilder json = new StringBuilder("{\"event\":\"gpu_selection\",\"cuda_devices\":")
            .append(selection.devices()).append(",\"device\":\"").append(escape(selection.device()))
            .append("\",\"filters\":\"").append(selection.usable() ? "cuda" : "cpu").append("\",\"reason\":\"")
            .append(escape(selection.reason())).append("\",\"modules\":{");
        boolean first = true;
        for (final Map.Entry<String, String> module : selection.modules().entrySet())
        {
            json.append(first ? "" : ",").append('"').append(escape(module.getKey())).append("\":\"")
                .append(escape(module.getValue())).append('"');
            first = false;
        }
        return json.append("}}").toString();
    }

    private static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
