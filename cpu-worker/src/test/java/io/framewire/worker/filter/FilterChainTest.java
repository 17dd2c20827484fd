package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

import static io.framewire.worker.filter.TestFrames.identical;
import static io.framewire.worker.filter.TestFrames.nonZero;
import static io.framewire.worker.filter.TestFrames.toBgr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every filter against an independent computation: OpenCV called directly, or a property the output must have. */
class FilterChainTest
{
    private static Mat run(final String pipeline, final Mat input) throws FilterSpecException
    {
        return run(pipeline, input, null);
    }

    private static Mat run(final String pipeline, final Mat input, final Mat previous) throws FilterSpecException
    {
        try (FilterChain chain = Pipeline.parse(pipeline).build())
        {
            final Mat output = new Mat(input.rows(), input.cols(), opencv_core.CV_8UC3);
            final long address = output.data().address();
            chain.apply(input, previous, output);
            assertEquals(address, output.data().address(), "the output Mat must keep its memory");
            assertEquals(opencv_core.CV_8UC3, output.type(), "output is 3-channel BGR");
            assertEquals(input.rows(), output.rows());
            assertEquals(input.cols(), output.cols());
            return output;
        }
    }

    @Test
    void gaussianEqualsOpenCvAndKeepsMeanWhileLoweringGradientEnergy() throws FilterSpecException
    {
        final Mat input = TestFrames.noise(360, 640, 1);
        final Mat expected = new Mat();
        opencv_imgproc.GaussianBlur(input, expected, new Size(7, 7), 0);
        final Mat output = run("gaussian", input);
        assertTrue(identical(expected, output));

        final Scalar before = opencv_core.mean(input);
        final Scalar after = opencv_core.mean(output);
        for (int channel = 0; channel < 3; channel++)
        {
            assertEquals(before.get(channel), after.get(channel), 1.0, "channel " + channel);
        }
        assertTrue(gradientEnergy(output) < gradientEnergy(input) / 4);
    }

    @Test
    void medianAndBilateralEqualOpenCv() throws FilterSpecException
    {
        final Mat input = TestFrames.noise(240, 320, 2);
        final Mat median = new Mat();
        opencv_imgproc.medianBlur(input, median, 5);
        assertTrue(identical(median, run("median", input)));
        final Mat median7 = new Mat();
        opencv_imgproc.medianBlur(input, median7, 7);
        assertTrue(identical(median7, run("median:ksize=7", input)));

        final Mat bilateral = new Mat();
        opencv_imgproc.bilateralFilter(input, bilateral, 9, 75, 75);
        assertTrue(identical(bilateral, run("bilateral", input)));
    }

    @Test
    void cannyIsBinaryAndEqualsOpenCv() throws FilterSpecException
    {
        final Mat input = TestFrames.square(240, 320, 100, 60, 80);
        final Mat output = run("canny", input);
        final Mat edges = new Mat();
        final Mat grey = new Mat();
        opencv_imgproc.cvtColor(input, grey, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_imgproc.Canny(grey, edges, 50, 150, 3, false);
        assertTrue(identical(toBgr(edges), output));
        opencv_imgproc.cvtColor(output, grey, opencv_imgproc.COLOR_BGR2GRAY);
        final int nonZero = opencv_core.countNonZero(grey);
        final Mat is255 = new Mat();
        opencv_core.compare(grey, new Mat(1, 1, opencv_core.CV_8U, Scalar.all(255)), is255, opencv_core.CMP_EQ);
        assertTrue(nonZero > 0, "the square has edges");
        assertEquals(nonZero, opencv_core.countNonZero(is255), "every edge pixel is 255");
    }

    @Test
    void sobelAndLaplacianOfAFlatImageAreZeroAndOfAnEdgeAreNot() throws FilterSpecException
    {
        final Mat flat = TestFrames.flat(120, 160, 128);
        for (final String filter : new String[] {"sobel", "laplacian", "sobel:ksize=5,scale=4", "laplacian:ksize=5"})
        {
            assertEquals(0, nonZero(run(filter, flat)), filter);
            assertTrue(nonZero(run(filter, TestFrames.square(120, 160, 40, 30, 50))) > 0, filter);
        }
        // Sobel magnitude against a direct computation.
        final Mat input = TestFrames.noise(120, 160, 3);
        final Mat grey = new Mat();
        final Mat dx = new Mat();
        final Mat dy = new Mat();
        final Mat magnitude = new Mat();
        final Mat expected = new Mat();
        opencv_imgproc.cvtColor(input, grey, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_imgproc.Sobel(grey, dx, opencv_core.CV_32F, 1, 0);
        opencv_imgproc.Sobel(grey, dy, opencv_core.CV_32F, 0, 1);
        opencv_core.magnitude(dx, dy, magnitude);
        magnitude.convertTo(expected, opencv_core.CV_8U);
        assertTrue(identical(toBgr(expected), run("sobel", input)));
    }

    @Test
    void customPipelineEqualsItsStepsInOrder() throws FilterSpecException
    {
        final Mat input = TestFrames.noise(180, 320, 4);
        opencv_imgproc.rectangle(input, new Rect(50, 40, 90, 70), new Scalar(255, 255, 255, 0), opencv_imgproc.FILLED,
            opencv_imgproc.LINE_8, 0);
        final Mat grey = new Mat();
        final Mat blurred = new Mat();
        final Mat edges = new Mat();
        opencv_imgproc.cvtColor(input, grey, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_imgproc.GaussianBlur(grey, blurred, new Size(5, 5), 0);
        opencv_imgproc.Canny(blurred, edges, 50, 150, 3, false);
        assertTrue(identical(toBgr(edges), run("gray|gaussian:ksize=5|canny:low=50,high=150", input)));

        final Mat gray = run("gray", input);
        assertTrue(identical(toBgr(grey), gray));
    }

    @Test
    void motionOfAStillVideoIsBlackAndOfAMovingSquareIsExactlyAroundIt() throws FilterSpecException
    {
        final Mat still = TestFrames.square(240, 320, 100, 80, 40);
        assertEquals(0, nonZero(run("diff", still, still.clone())));
        assertEquals(0, nonZero(run("diff", still)), "the first frame has no previous frame: no motion");

        final Mat before = TestFrames.square(240, 320, 100, 80, 40);
        final Mat after = TestFrames.square(240, 320, 110, 80, 40);
        final Mat motion = run("diff", after, before);
        final Mat grey = new Mat();
        opencv_imgproc.cvtColor(motion, grey, opencv_imgproc.COLOR_BGR2GRAY);
        final Rect changed = opencv_imgproc.boundingRect(grey);
        assertEquals(100, changed.x());
        assertEquals(80, changed.y());
        assertEquals(50, changed.width(), "old and new square together span x 100..149");
        assertEquals(40, changed.height());
        assertEquals(2 * 10 * 40, nonZero(motion), "two 10-pixel strips changed");
    }

    @ParameterizedTest
    // Farneback sees motion only near the flat square's corners and edges, DIS fills more of it.
    @CsvSource({"flow:preset=1, 200", "flow:algorithm=1, 40"})
    void opticalFlowIsBlackWhenStillAndLightsUpTheMovingSquare(final String spec, final int minMoving)
        throws FilterSpecException
    {
        final Mat still = TestFrames.square(240, 320, 100, 80, 40);
        assertEquals(0, nonZero(run(spec, still, still.clone())));
        assertEquals(0, nonZero(run(spec, still)));

        final Mat before = TestFrames.square(240, 320, 100, 80, 40);
        final Mat after = TestFrames.square(240, 320, 104, 82, 40);
        final Mat flow = run(spec, after, before);
        final Mat grey = new Mat();
        opencv_imgproc.cvtColor(flow, grey, opencv_imgproc.COLOR_BGR2GRAY);
        final Mat bright = new Mat();
        opencv_imgproc.threshold(grey, bright, 20, 255, opencv_imgproc.THRESH_BINARY);
        final int moving = opencv_core.countNonZero(bright);
        assertTrue(moving > minMoving, "flow found motion at the square: " + moving);
        try (Mat aroundSquare = new Mat(bright, new Rect(70, 50, 110, 110)))
        {
            final int near = opencv_core.countNonZero(aroundSquare);
            assertTrue(near > 0.9 * moving, "motion lies around the square: " + near + " of " + moving);
        }
    }

    @Test
    void motionStepsSeeThePreviousFrameThroughTheEarlierSteps() throws FilterSpecException
    {
        final Mat before = TestFrames.square(120, 160, 40, 30, 30);
        final Mat after = TestFrames.square(120, 160, 45, 30, 30);
        final Mat greyBefore = new Mat();
        final Mat greyAfter = new Mat();
        final Mat diff = new Mat();
        opencv_imgproc.cvtColor(before, greyBefore, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_imgproc.cvtColor(after, greyAfter, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_core.absdiff(greyAfter, greyBefore, diff);
        assertTrue(identical(toBgr(diff), run("gray|diff", after, before)));
    }

    private static double gradientEnergy(final Mat image)
    {
        try (Mat grey = new Mat(); Mat dx = new Mat(); Mat squared = new Mat())
        {
            opencv_imgproc.cvtColor(image, grey, opencv_imgproc.COLOR_BGR2GRAY);
            opencv_imgproc.Sobel(grey, dx, opencv_core.CV_32F, 1, 0);
            opencv_core.multiply(dx, dx, squared);
            return opencv_core.sumElems(squared).get(0);
        }
    }
}
