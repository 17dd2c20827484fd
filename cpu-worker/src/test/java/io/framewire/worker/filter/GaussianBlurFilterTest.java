package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianBlurFilterTest
{
    @Test
    void equalsOpenCvGaussianBlurCalledDirectly()
    {
        try (Mat source = noise(360, 640); Mat filtered = new Mat(); Mat expected = new Mat(); Mat diff = new Mat();
            GaussianBlurFilter filter = new GaussianBlurFilter())
        {
            filter.apply(source, filtered);
            opencv_imgproc.GaussianBlur(source, expected, new Size(7, 7), 0);
            opencv_core.absdiff(filtered, expected, diff);
            assertEquals(0, opencv_core.countNonZero(diff.reshape(1, 0)));
            assertEquals(source.rows(), filtered.rows());
            assertEquals(source.cols(), filtered.cols());
            assertEquals(3, filtered.channels());
        }
    }

    @Test
    void keepsMeanIntensityAndLowersGradientEnergy()
    {
        try (Mat source = noise(240, 320); Mat filtered = new Mat(); GaussianBlurFilter filter = new GaussianBlurFilter())
        {
            filter.apply(source, filtered);
            final Scalar before = opencv_core.mean(source);
            final Scalar after = opencv_core.mean(filtered);
            for (int channel = 0; channel < 3; channel++)
            {
                assertEquals(before.get(channel), after.get(channel), 1.0, "channel " + channel);
            }
            assertTrue(gradientEnergy(filtered) < gradientEnergy(source) / 4,
                "blur must remove most of the noise's gradient energy");
        }
    }

    @Test
    void refusesEvenKernels()
    {
        assertThrows(IllegalArgumentException.class, () -> new GaussianBlurFilter(4, 0));
    }

    private static Mat noise(final int rows, final int cols)
    {
        final Mat mat = new Mat(rows, cols, opencv_core.CV_8UC3);
        opencv_core.randu(mat, new Mat(1, 1, opencv_core.CV_64F, new Scalar(0)),
            new Mat(1, 1, opencv_core.CV_64F, new Scalar(256)));
        return mat;
    }

    private static double gradientEnergy(final Mat image)
    {
        try (Mat gray = new Mat(); Mat dx = new Mat(); Mat squared = new Mat())
        {
            opencv_imgproc.cvtColor(image, gray, opencv_imgproc.COLOR_BGR2GRAY);
            opencv_imgproc.Sobel(gray, dx, opencv_core.CV_32F, 1, 0);
            opencv_core.multiply(dx, dx, squared);
            return opencv_core.sumElems(squared).get(0);
        }
    }
}
