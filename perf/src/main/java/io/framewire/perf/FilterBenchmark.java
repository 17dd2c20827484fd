package io.framewire.perf;

import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
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

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.io.IOException;

/**
 * Milliseconds per frame of every filter, single-threaded, through {@link FilterChain} as the worker runs it, next
 * to plain OpenCV calls ({@link OpenCvBaselineBenchmark}). The frame is Debian's messi5.jpg scaled to the size when
 * opencv-doc is
 * installed (real content matters for faces), noise otherwise; the previous frame is the same shifted by 4 pixels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class FilterBenchmark
{
    private static final String SAMPLE = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg";

    @Param({"1280x720", "1920x1080"})
    public String size;

    @Param({"gaussian", "median", "bilateral", "canny", "sobel", "laplacian", "blazeface", "faces", "faces:scale=1",
        "diff", "flow", "flow:preset=1"})
    public String pipeline;

    private Mat frame;
    private Mat previous;
    private Mat output;
    private FilterChain chain;

    @Setup(Level.Trial)
    public void setUp() throws FilterSpecException, IOException
    {
        opencv_core.setNumThreads(1);
        final String[] wh = size.split("x");
        final int width = Integer.parseInt(wh[0]);
        final int height = Integer.parseInt(wh[1]);
        frame = testFrame(width, height);
        previous = new Mat();
        final Mat shift = new Mat(2, 3, opencv_core.CV_64F);
        shift.put(new Mat(new double[] {1, 0, 4, 0, 1, 2}).reshape(1, 2));
        opencv_imgproc.warpAffine(frame, previous, shift, frame.size());
        output = new Mat(height, width, opencv_core.CV_8UC3);
        chain = Pipeline.parse(pipeline).build();
    }

    /** messi5.jpg scaled to the size when Debian's opencv-doc is installed, noise otherwise. */
    static Mat testFrame(final int width, final int height)
    {
        final Mat frame = new Mat(height, width, opencv_core.CV_8UC3);
        if (new File(SAMPLE).canRead())
        {
            opencv_imgproc.resize(opencv_imgcodecs.imread(SAMPLE), frame, new Size(width, height));
        }
        else
        {
            opencv_core.randu(frame, new Mat(1, 1, opencv_core.CV_64F, new Scalar(0)),
                new Mat(1, 1, opencv_core.CV_64F, new Scalar(256)));
        }
        return frame;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        chain.close();
        frame.close();
        previous.close();
        output.close();
    }

    @Benchmark
    public Mat framewire()
    {
        chain.apply(frame, previous, output);
        return output;
    }
}
