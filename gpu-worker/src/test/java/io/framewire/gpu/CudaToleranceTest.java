package io.framewire.gpu;

import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison the GPU check applies: it passes what is within a filter's bounds and fails what is not. */
class CudaToleranceTest
{
    private static final List<List<int[]>> NO_BOXES = List.of(List.of());

    @Test
    void offByOneEverywhereIsWithinGaussianButNotDiff() throws FilterSpecException
    {
        final Mat cpu = new Mat(90, 160, opencv_core.CV_8UC3, Scalar.all(100));
        final Mat cuda = new Mat(90, 160, opencv_core.CV_8UC3, Scalar.all(100));
        try (Mat corner = new Mat(cuda, new Rect(0, 0, 160, 9)))
        {
            corner.put(Scalar.all(101));
        }
        final CudaTolerance.Result gaussian = CudaTolerance.of(Pipeline.parse("gaussian"))
            .compare(List.of(cpu), List.of(cuda), NO_BOXES, NO_BOXES);
        assertTrue(gaussian.within(), gaussian.description());
        final CudaTolerance.Result diff = CudaTolerance.of(Pipeline.parse("diff"))
            .compare(List.of(cpu), List.of(cuda), NO_BOXES, NO_BOXES);
        assertFalse(diff.within(), diff.description());
    }

    @Test
    void aBandOfWrongPixelsFailsGaussian() throws FilterSpecException
    {
        final Mat cpu = new Mat(90, 160, opencv_core.CV_8UC3, Scalar.all(100));
        final Mat cuda = cpu.clone();
        try (Mat band = new Mat(cuda, new Rect(0, 0, 160, 2)))
        {
            band.put(Scalar.all(140));
        }
        final CudaTolerance.Result result = CudaTolerance.of(Pipeline.parse("gaussian"))
            .compare(List.of(cpu), List.of(cuda), NO_BOXES, NO_BOXES);
        assertFalse(result.within(), "2.2% of pixels 40 levels off: " + result.description());
    }

    @Test
    void facesCompareBoxes() throws FilterSpecException
    {
        final CudaTolerance faces = CudaTolerance.of(Pipeline.parse("faces"));
        final Mat frame = new Mat(10, 10, opencv_core.CV_8UC3, Scalar.all(0));
        final List<List<int[]>> cpu = List.of(List.of(new int[] {100, 100, 50, 50}));
        assertTrue(faces.compare(List.of(frame), List.of(frame), cpu,
            List.of(List.of(new int[] {102, 101, 50, 50}))).within(), "a box 2 px off matches");
        assertFalse(faces.compare(List.of(frame), List.of(frame), cpu,
            List.of(List.of(new int[] {140, 140, 50, 50}))).within(), "a box elsewhere does not");
        assertFalse(faces.compare(List.of(frame), List.of(frame), cpu, NO_BOXES).within(), "a missed face fails");
    }
}
