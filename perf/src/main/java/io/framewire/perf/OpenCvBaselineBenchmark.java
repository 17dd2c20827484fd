package io.framewire.perf;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;
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

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Plain OpenCV calls on the same frames as {@link FilterBenchmark}: what framewire's filters are compared with. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class OpenCvBaselineBenchmark
{
    @Param({"1280x720", "1920x1080"})
    public String size;

    private Mat frame;
    private Mat output;
    private Mat grey;
    private Size kernel;
    private Size minFace;
    private Size noLimit;
    private RectVector faces;
    private CascadeClassifier cascade;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        opencv_core.setNumThreads(1);
        final String[] wh = size.split("x");
        frame = FilterBenchmark.testFrame(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        output = new Mat();
        grey = new Mat();
        kernel = new Size(7, 7);
        minFace = new Size(24, 24);
        noLimit = new Size();
        faces = new RectVector();
        cascade = new CascadeClassifier(Loader.cacheResource("/org/bytedeco/opencv/" + Loader.getPlatform() +
            "/share/opencv4/haarcascades/haarcascade_frontalface_default.xml").getPath());
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        cascade.close();
        frame.close();
        output.close();
        grey.close();
        kernel.close();
        minFace.close();
        noLimit.close();
        faces.close();
    }

    @Benchmark
    public Mat gaussianBlur()
    {
        opencv_imgproc.GaussianBlur(frame, output, kernel, 0);
        return output;
    }

    /** Face detection at full resolution, the plain way: the reference for the faces speed-up. */
    @Benchmark
    public RectVector facesFullResolution()
    {
        opencv_imgproc.cvtColor(frame, grey, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_imgproc.equalizeHist(grey, grey);
        cascade.detectMultiScale(grey, faces, 1.1, 3, 0, minFace, noLimit);
        return faces;
    }
}
