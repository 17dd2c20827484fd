package io.framewire.perf;

import io.framewire.worker.filter.GaussianBlurFilter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The worker's filter per frame, single-threaded, next to the bare OpenCV call it wraps: the difference is
 * framewire's overhead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class GaussianBlurBenchmark
{
    @Param({"1280x720", "1920x1080"})
    public String size;

    private Mat source;
    private Mat target;
    private GaussianBlurFilter filter;
    private org.bytedeco.opencv.opencv_core.Size kernel;

    @Setup(Level.Trial)
    public void setUp()
    {
        opencv_core.setNumThreads(1);
        final String[] wh = size.split("x");
        source = new Mat(Integer.parseInt(wh[1]), Integer.parseInt(wh[0]), opencv_core.CV_8UC3);
        opencv_core.randu(source, new Mat(1, 1, opencv_core.CV_64F, new Scalar(0)),
            new Mat(1, 1, opencv_core.CV_64F, new Scalar(256)));
        target = new Mat(source.rows(), source.cols(), opencv_core.CV_8UC3);
        filter = new GaussianBlurFilter();
        kernel = new org.bytedeco.opencv.opencv_core.Size(GaussianBlurFilter.DEFAULT_KERNEL_SIZE,
            GaussianBlurFilter.DEFAULT_KERNEL_SIZE);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        filter.close();
        kernel.close();
        source.close();
        target.close();
    }

    @Benchmark
    public Mat framewireFilter()
    {
        filter.apply(source, target);
        return target;
    }

    @Benchmark
    public Mat openCvDirect()
    {
        org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur(source, target, kernel, 0);
        return target;
    }
}
