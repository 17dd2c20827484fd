package io.framewire.gpu;

import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.javacpp.IntPointer;
import io.framewire.gpu.filter.CudaCascade;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudaarithm;
import org.bytedeco.opencv.global.opencv_cudafilters;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_cudaobjdetect;
import org.bytedeco.opencv.global.opencv_cudaoptflow;
import org.bytedeco.opencv.global.opencv_cudawarping;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.DeviceInfo;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_cudafilters.Filter;
import org.bytedeco.opencv.opencv_cudaobjdetect.CudaCascadeClassifier;
import org.bytedeco.opencv.opencv_cudaoptflow.FarnebackOpticalFlow;

/**
 * Run by {@link CudaSelection} in a child JVM with OpenCV's CUDA build selected: asks how many devices there are,
 * then loads each CUDA module the filters use and, when there is a device, makes one call into it. Prints one fact
 * per line ({@code devices N}, {@code device NAME}, {@code module NAME ok|REASON}, {@code failure REASON}). It runs
 * apart because a CUDA build that fails to load leaves OpenCV's classes unusable in that JVM, and a broken driver
 * can crash or hang the process that calls it.
 */
public final class CudaProbe
{
    /** The CUDA modules the filters use, in the order they are checked. */
    public static final String[] MODULES =
        {"cudaarithm", "cudafilters", "cudaimgproc", "cudawarping", "cudaobjdetect", "cudaoptflow", "dnn"};

    private CudaProbe()
    {
    }

    public static void main(final String[] args)
    {
        final int devices;
        try
        {
            devices = opencv_core.getCudaEnabledDeviceCount();
        }
        catch (final Throwable ex)
        {
            System.out.println("failure " + CudaSelection.describe(ex));
            return;
        }
        System.out.println("devices " + devices);
        if (devices > 0)
        {
            try (DeviceInfo info = new DeviceInfo())
            {
                System.out.println("device " + info.name().getString().trim() + " (compute " + info.majorVersion() +
                    "." + info.minorVersion() + ", " + (info.totalMemory() >> 20) + " MiB)");
            }
            catch (final Throwable ex)
            {
                System.out.println("device unknown: " + CudaSelection.describe(ex));
            }
        }
        for (final String module : MODULES)
        {
            String result;
            try
            {
                check(module, devices > 0);
                result = "ok";
            }
            catch (final Throwable ex)
            {
                result = CudaSelection.describe(ex);
            }
            System.out.println("module " + module + " " + result);
        }
        System.out.flush();
    }

    /** Loads a module's native code and, with a device, runs one small call through it. */
    private static void check(final String module, final boolean call) throws Exception
    {
        switch (module)
        {
            case "cudaarithm" ->
            {
                Loader.load(opencv_cudaarithm.class);
                if (call)
                {
                    try (GpuMat a = filled(opencv_core.CV_8UC1, 3); GpuMat b = filled(opencv_core.CV_8UC1, 1);
                        GpuMat d = new GpuMat())
                    {
                        opencv_cudaarithm.absdiff(a, b, d);
                    }
                }
            }
            case "cudafilters" ->
            {
                Loader.load(opencv_cudafilters.class);
                if (call)
                {
                    try (Size kernel = new Size(5, 5);
                        Filter gaussian = opencv_cudafilters.createGaussianFilter(opencv_core.CV_8UC3,
                            opencv_core.CV_8UC3, kernel, 0);
                        GpuMat a = filled(opencv_core.CV_8UC3, 7); GpuMat d = new GpuMat())
                    {
                        gaussian.apply(a, d);
                    }
                }
            }
            case "cudaimgproc" ->
            {
                Loader.load(opencv_cudaimgproc.class);
                if (call)
                {
                    try (GpuMat a = filled(opencv_core.CV_8UC3, 7); GpuMat d = new GpuMat())
                    {
                        opencv_cudaimgproc.cvtColor(a, d, opencv_imgproc.COLOR_BGR2GRAY);
                    }
                }
            }
            case "cudawarping" ->
            {
                Loader.load(opencv_cudawarping.class);
                if (call)
                {
                    try (Size half = new Size(32, 32); GpuMat a = filled(opencv_core.CV_8UC1, 7); GpuMat d =
                        new GpuMat())
                    {
                        opencv_cudawarping.resize(a, d, half);
                    }
                }
            }
            case "cudaobjdetect" ->
            {
                Loader.load(opencv_cudaobjdetect.class);
                if (call)
                {
                    try (CudaCascadeClassifier classifier = CudaCascadeClassifier.create(CudaCascade.path());
                        GpuMat a = filled(opencv_core.CV_8UC1, 90); GpuMat found = new GpuMat())
                    {
                        classifier.detectMultiScale(a, found);
                    }
                }
            }
            case "cudaoptflow" ->
            {
                Loader.load(opencv_cudaoptflow.class);
                if (call)
                {
                    try (FarnebackOpticalFlow flow = FarnebackOpticalFlow.create();
                        GpuMat a = filled(opencv_core.CV_8UC1, 10); GpuMat b = filled(opencv_core.CV_8UC1, 20);
                        GpuMat d = new GpuMat())
                    {
                        flow.calc(a, b, d);
                    }
                }
            }
            case "dnn" ->
            {
                // OpenCV DNN's CUDA backend: without it a net set to CUDA would quietly run on the CPU.
                Loader.load(opencv_dnn.class);
                if (call)
                {
                    try (IntPointer targets = opencv_dnn.getAvailableTargets(opencv_dnn.DNN_BACKEND_CUDA))
                    {
                        boolean cuda = false;
                        for (long i = 0; i < targets.limit(); i++)
                        {
                            cuda |= targets.get(i) == opencv_dnn.DNN_TARGET_CUDA;
                        }
                        if (!cuda)
                        {
                            throw new IllegalStateException("OpenCV DNN has no CUDA target in this build");
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown module " + module);
        }
    }

    private static GpuMat filled(final int type, final double value)
    {
        final GpuMat mat = new GpuMat(64, 64, type);
        try (Scalar scalar = Scalar.all(value))
        {
            mat.setTo(scalar);
        }
        return mat;
    }
}
