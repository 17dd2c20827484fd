package io.framewire.gpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On a host with a usable CUDA device: every CUDA filter matches its CPU twin within tolerance (the GPU check, run
 * as its own JVM so that OpenCV's CUDA build is the one loaded). Elsewhere it is skipped, saying why.
 */
@Tag("gpu")
class CudaFiltersOnDeviceTest
{
    @Test
    void everyCudaFilterMatchesItsCpuTwin() throws IOException, InterruptedException
    {
        final CudaSelection selection = CudaSelection.probe();
        assumeTrue(selection.usable(), "no usable CUDA device here, so the CUDA filters cannot run: " +
            selection.reason());
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> !a.startsWith("-D" + CudaSelection.PLATFORM_EXTENSION) &&
                !a.startsWith("-agentlib")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GpuCheck.class.getName(), "640", "360",
            "10"));
        final Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, check.exitValue(), output);
        for (final String spec : GpuCheck.SPECS)
        {
            assertTrue(output.lines().anyMatch(line -> line.startsWith(spec + " ") && line.contains("ok")),
                spec + " within tolerance:\n" + output);
        }
    }
}
