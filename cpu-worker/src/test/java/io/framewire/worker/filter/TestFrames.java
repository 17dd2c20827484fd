package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Frames for filter tests: made here, or real sample images from Debian's opencv-doc package. */
final class TestFrames
{
    static final Path SAMPLE_DATA = Path.of("/usr/share/doc/opencv-doc/examples/data");

    private TestFrames()
    {
    }

    static Mat noise(final int rows, final int cols, final long seed)
    {
        final Mat mat = new Mat(rows, cols, opencv_core.CV_8UC3);
        opencv_core.theRNG().state(seed);
        opencv_core.randu(mat, new Mat(1, 1, opencv_core.CV_64F, new Scalar(0)),
            new Mat(1, 1, opencv_core.CV_64F, new Scalar(256)));
        return mat;
    }

    static Mat flat(final int rows, final int cols, final int value)
    {
        return new Mat(rows, cols, opencv_core.CV_8UC3, Scalar.all(value));
    }

    /** A dark textured background with a bright square whose top-left corner is at (x, y). */
    static Mat square(final int rows, final int cols, final int x, final int y, final int size)
    {
        final Mat mat = flat(rows, cols, 40);
        opencv_imgproc.rectangle(mat, new Point(x, y), new Point(x + size - 1, y + size - 1),
            new Scalar(60, 220, 240, 0), opencv_imgproc.FILLED, opencv_imgproc.LINE_8, 0);
        return mat;
    }

    /** A sample image, or the test is skipped with a message saying how to get it. */
    static Mat sample(final String name)
    {
        final Path file = SAMPLE_DATA.resolve(name);
        Assumptions.assumeTrue(Files.isReadable(file), "SKIPPED: " + file + " is missing; install Debian's " +
            "opencv-doc package (.ci/run does) to run this test");
        return opencv_imgcodecs.imread(file.toString());
    }

    static int nonZero(final Mat bgr)
    {
        try (Mat grey = new Mat())
        {
            opencv_imgproc.cvtColor(bgr, grey, opencv_imgproc.COLOR_BGR2GRAY);
            return opencv_core.countNonZero(grey);
        }
    }

    static boolean identical(final Mat a, final Mat b)
    {
        if (a.rows() != b.rows() || a.cols() != b.cols() || a.type() != b.type())
        {
            return false;
        }
        try (Mat diff = new Mat())
        {
            opencv_core.absdiff(a, b, diff);
            return opencv_core.countNonZero(diff.reshape(1, 0)) == 0;
        }
    }

    static Mat toBgr(final Mat grey)
    {
        final Mat bgr = new Mat();
        opencv_imgproc.cvtColor(grey, bgr, opencv_imgproc.COLOR_GRAY2BGR);
        return bgr;
    }
}
