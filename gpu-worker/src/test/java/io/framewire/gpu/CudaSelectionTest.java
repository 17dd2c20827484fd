package io.framewire.gpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way CUDA can be missing ends in a reason and no devices; none crashes or hangs. */
class CudaSelectionTest
{
    @Test
    void devicesFound()
    {
        final CudaSelection selection = CudaSelection.select(() -> 2, 1000);
        assertEquals(2, selection.devices());
        assertTrue(selection.reason().contains("2 CUDA device"), selection.reason());
    }

    @Test
    void openCvWithoutCuda()
    {
        final CudaSelection selection = CudaSelection.select(() -> 0, 1000);
        assertEquals(0, selection.devices());
        assertTrue(selection.reason().contains("built without CUDA"), selection.reason());
    }

    @Test
    void noDriver()
    {
        final CudaSelection selection = CudaSelection.select(() -> -1, 1000);
        assertEquals(0, selection.devices());
        assertTrue(selection.reason().contains("no NVIDIA driver"), selection.reason());
    }

    @Test
    void missingCudaLibrary()
    {
        final CudaSelection selection = CudaSelection.select(() ->
        {
            throw new UnsatisfiedLinkError("libcudart.so.13: cannot open shared object file\nmore");
        }, 1000);
        assertEquals(0, selection.devices());
        assertTrue(selection.reason().startsWith("a CUDA library is missing: UnsatisfiedLinkError: libcudart.so.13"),
            selection.reason());
        assertTrue(!selection.reason().contains("more"), "one line: " + selection.reason());
    }

    @Test
    void classesThatFailedToInitialise()
    {
        final CudaSelection selection = CudaSelection.select(() ->
        {
            throw new NoClassDefFoundError("Could not initialize class org.bytedeco.opencv.global.opencv_cudaimgproc");
        }, 1000);
        assertTrue(selection.reason().startsWith("OpenCV's CUDA classes failed to load"), selection.reason());
    }

    @Test
    void aProbeThatHangs()
    {
        final long startNs = System.nanoTime();
        final CudaSelection selection = CudaSelection.select(() ->
        {
            Thread.sleep(60_000);
            return 1;
        }, 200);
        assertEquals(0, selection.devices());
        assertTrue(selection.reason().contains("did not answer in 200 ms"), selection.reason());
        assertTrue(System.nanoTime() - startNs < 5_000_000_000L, "gave up on time");
    }

    /** This machine has OpenCV's CPU build: the real probe says so. */
    @Test
    void thisHostsOpenCvHasNoCuda()
    {
        final CudaSelection selection = CudaSelection.probe();
        assertEquals(0, selection.devices(), selection.reason());
        assertTrue(selection.reason().contains("built without CUDA"), selection.reason());
    }
}
