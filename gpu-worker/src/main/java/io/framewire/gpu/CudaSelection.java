package io.framewire.gpu;

import org.bytedeco.opencv.global.opencv_core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether this host can run the filters on CUDA, and if not, why not, in one line. Every way a CUDA stack fails
 * to load or answer ends in a reason, never in a crash or a hang.
 *
 * @param devices CUDA devices OpenCV can use (0 when none).
 * @param reason  why CUDA is not used, or what was found.
 */
public record CudaSelection(int devices, String reason)
{
    /** How long the probe may take: a broken driver can block the first CUDA call. */
    static final long PROBE_TIMEOUT_MS = 10_000;

    /** Asks OpenCV how many CUDA devices it can use; may throw anything a missing or broken CUDA stack throws. */
    @FunctionalInterface
    interface Probe
    {
        int deviceCount() throws Throwable;
    }

    /** This host, through the OpenCV build on the classpath. */
    public static CudaSelection probe()
    {
        return select(opencv_core::getCudaEnabledDeviceCount, PROBE_TIMEOUT_MS);
    }

    static CudaSelection select(final Probe probe, final long timeoutMs)
    {
        final CompletableFuture<Integer> count = new CompletableFuture<>();
        final Thread thread = Thread.ofPlatform().daemon().name("cuda-probe").start(() ->
        {
            try
            {
                count.complete(probe.deviceCount());
            }
            catch (final Throwable ex)
            {
                count.completeExceptionally(ex);
            }
        });
        try
        {
            final int devices = count.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (devices > 0)
            {
                return new CudaSelection(devices, devices + " CUDA device(s) usable");
            }
            return new CudaSelection(0, devices == 0 ?
                "OpenCV on the classpath is built without CUDA (getCudaEnabledDeviceCount() = 0)" :
                "no NVIDIA driver, or one too old for this OpenCV build (getCudaEnabledDeviceCount() = " + devices + ")");
        }
        catch (final TimeoutException ex)
        {
            thread.interrupt();
            return new CudaSelection(0, "the CUDA probe did not answer in " + timeoutMs + " ms");
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof UnsatisfiedLinkError)
            {
                return new CudaSelection(0, "a CUDA library is missing: " + firstLine(cause));
            }
            if (cause instanceof NoClassDefFoundError || cause instanceof ExceptionInInitializerError)
            {
                return new CudaSelection(0, "OpenCV's CUDA classes failed to load: " + firstLine(cause));
            }
            return new CudaSelection(0, "the CUDA probe failed: " + firstLine(cause));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new CudaSelection(0, "interrupted while probing CUDA");
        }
    }

    private static String firstLine(final Throwable error)
    {
        final String message = String.valueOf(error.getMessage());
        final int newline = message.indexOf('\n');
        return error.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }
}
