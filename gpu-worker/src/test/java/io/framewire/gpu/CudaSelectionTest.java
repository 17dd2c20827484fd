package io.framewire.gpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way CUDA can be missing ends in a reason and no devices; none crashes or hangs the worker. The shapes run as
 * real child processes printing what the probe prints in each case; the last tests run the real probe.
 */
class CudaSelectionTest
{
    private static CudaSelection answer(final String... lines)
    {
        return CudaSelection.select(List.of("sh", "-c", "printf '%s\\n' \"$@\"", "probe", String.join("\n", lines)),
            10_000);
    }

    @Test
    void devicesFoundWithAModuleThatCannotRun()
    {
        final CudaSelection selection = answer("devices 2", "device NVIDIA H100 (compute 9.0, 81000 MiB)",
            "module cudaarithm ok", "module cudaobjdetect RuntimeException: NCV Assertion Failed");
        assertTrue(selection.usable());
        assertEquals(2, selection.devices());
        assertEquals("NVIDIA H100 (compute 9.0, 81000 MiB)", selection.device());
        assertTrue(selection.moduleUsable("cudaarithm"));
        assertFalse(selection.moduleUsable("cudaobjdetect"));
        assertFalse(selection.moduleUsable("cudaoptflow"), "a module the probe did not report is not used");
        assertTrue(selection.reason().contains("2 CUDA device(s) usable, first: NVIDIA H100") &&
            selection.reason().contains("on the CPU instead: the filters of cudaobjdetect (RuntimeException: NCV"),
            selection.reason());
    }

    @Test
    void openCvWithoutCudaOrNoDevice()
    {
        final CudaSelection selection = answer("devices 0");
        assertFalse(selection.usable());
        assertTrue(selection.reason().contains("built without CUDA, or there is no CUDA device"), selection.reason());
    }

    @Test
    void noDriverSaysWhichLibrariesAreMissingToo()
    {
        final CudaSelection selection = answer("devices -1", "module cudaarithm UnsatisfiedLinkError: " +
            "/cache/libjniopencv_cudaarithm.so: libnppial.so.13: cannot open shared object file: No such file",
            "module cudafilters ok");
        assertFalse(selection.usable());
        assertEquals(0, selection.devices());
        assertTrue(selection.reason().startsWith("no NVIDIA driver, or one too old") &&
            selection.reason().endsWith("also missing: libnppial.so.13"), selection.reason());
    }

    @Test
    void missingCudaRuntime()
    {
        final CudaSelection selection = answer("failure UnsatisfiedLinkError: libcudart.so.13: cannot open shared " +
            "object file: No such file or directory");
        assertFalse(selection.usable());
        assertTrue(selection.reason().startsWith("a CUDA library is missing: UnsatisfiedLinkError: libcudart.so.13"),
            selection.reason());
    }

    @Test
    void classesThatFailedToInitialise()
    {
        final CudaSelection selection = answer("failure NoClassDefFoundError: Could not initialize class " +
            "org.bytedeco.opencv.global.opencv_core");
        assertFalse(selection.usable());
        assertTrue(selection.reason().startsWith("OpenCV's CUDA classes failed to load"), selection.reason());
    }

    @Test
    void aCrashedProbe()
    {
        final CudaSelection selection = CudaSelection.select(List.of("sh", "-c", "kill -SEGV $$"), 10_000);
        assertFalse(selection.usable());
        assertTrue(selection.reason().contains("exited with code 139 without an answer"), selection.reason());
    }

    @Test
    void aCrashAfterFindingDevicesIsNotTrusted()
    {
        final CudaSelection selection = CudaSelection.select(List.of("sh", "-c", "echo devices 1; kill -ABRT $$"),
            10_000);
        assertFalse(selection.usable());
        assertTrue(selection.reason().contains("found 1 device(s) but then exited with code 134"), selection.reason());
    }

    @Test
    void aHungProbeIsKilled()
    {
        final long start = System.nanoTime();
        final CudaSelection selection = CudaSelection.select(List.of("sleep", "60"), 500);
        assertFalse(selection.usable());
        assertTrue(selection.reason().contains("did not answer in 500 ms"), selection.reason());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "the probe is killed, not waited for");
    }

    @Test
    void aProbeThatCannotStart()
    {
        final CudaSelection selection = CudaSelection.select(List.of("/nonexistent/java"), 10_000);
        assertFalse(selection.usable());
        assertTrue(selection.reason().startsWith("the CUDA probe could not start"), selection.reason());
    }

    @Test
    void describeNamesTheLibraryTheLinkerCouldNotFind()
    {
        final UnsatisfiedLinkError cause = new UnsatisfiedLinkError("/cache/libjniopencv_core.so: libcudart.so.13: " +
            "cannot open shared object file: No such file or directory");
        final UnsatisfiedLinkError error = new UnsatisfiedLinkError("no jniopencv_core in java.library.path\nmore");
        error.initCause(cause);
        assertEquals("UnsatisfiedLinkError: /cache/libjniopencv_core.so: libcudart.so.13: cannot open shared object " +
            "file: No such file or directory", CudaSelection.describe(error));
        assertEquals("IllegalStateException: first",
            CudaSelection.describe(new IllegalStateException("first\nsecond")));
    }

    /** The real probe on this host, through OpenCV's CUDA build: whatever this host lacks, it answers. */
    @Test
    void theRealProbeAnswersOnThisHost()
    {
        final CudaSelection selection = CudaSelection.probe();
        assertFalse(selection.reason().isBlank());
        if (!selection.usable())
        {
            assertTrue(selection.reason().startsWith("no NVIDIA driver") ||
                selection.reason().startsWith("OpenCV on the classpath is built without CUDA") ||
                selection.reason().startsWith("a CUDA library is missing"), selection.reason());
        }
        if (!selection.reason().startsWith("a CUDA library is missing"))
        {
            assertEquals(List.of(CudaProbe.MODULES), List.copyOf(selection.modules().keySet()),
                "every module is reported once the CUDA build has loaded");
        }
    }

    /** The real probe with the CPU build selected instead: OpenCV answers 0 devices, as a CPU-only host would. */
    @Test
    void theRealProbeThroughTheCpuBuild()
    {
        final List<String> command = new ArrayList<>(CudaSelection.probeCommand());
        command.replaceAll(argument -> argument.equals("-D" + CudaSelection.PLATFORM_EXTENSION + "=-gpu") ?
            "-D" + CudaSelection.PLATFORM_EXTENSION + "=" : argument);
        final CudaSelection selection = CudaSelection.select(command, 30_000);
        assertEquals(0, selection.devices());
        assertTrue(selection.reason().startsWith("OpenCV on the classpath is built without CUDA"), selection.reason());
    }
}
