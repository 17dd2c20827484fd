package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_video;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/**
 * Dense optical flow from the previous frame, drawn as a colour field: hue is the direction of motion, brightness
 * its speed ({@code gain} × pixels per frame, saturating at 255). {@code algorithm=0} (default) is OpenCV's DIS,
 * chosen by measurement: Farneback costs ~280 ms per 720p frame on the CPU here, DIS at its fast presets a few ms
 * (docs/perf.md). {@code algorithm=1} is Farneback with OpenCV's sample parameters, the algorithm CUDA has, so the GPU
 * worker runs it there and a job gets the same field whichever kind of worker takes a frame.
 */
public final class OpticalFlowFilter implements FrameFilter
{
    /** Farneback's parameters, shared with the GPU worker's twin: OpenCV's sample values. */
    public static final double FARNEBACK_PYRAMID_SCALE = 0.5;
    public static final int FARNEBACK_LEVELS = 3;
    public static final int FARNEBACK_WINDOW = 15;
    public static final int FARNEBACK_ITERATIONS = 3;
    public static final int FARNEBACK_POLY_N = 5;
    public static final double FARNEBACK_POLY_SIGMA = 1.2;
    /** The colour field, shared with the GPU worker's twin: OpenCV's 8-bit hue is degrees / 2, saturation full. */
    public static final double HUE_PER_DEGREE = 0.5;
    public static final int SATURATION = 255;

    private final double gain;
    private final String spec;
    private final DISOpticalFlow flowAlgorithm;
    private final Mat grey = new Mat();
    private final Mat previousGrey = new Mat();
    private final Mat flow = new Mat();
    private final Mat flowX = new Mat();
    private final Mat flowY = new Mat();
    private final Mat magnitude = new Mat();
    private final Mat angle = new Mat();
    private final Mat hue = new Mat();
    private final Mat value = new Mat();
    private final Mat saturation = new Mat();
    private final MatVector hsvPlanes = new MatVector(3);
    private final Mat hsv = new Mat();

    public OpticalFlowFilter(final Params params)
    {
        this.gain = params.real("gain");
        this.spec = params.spec();
        this.flowAlgorithm = params.integer("algorithm") == 0 ? DISOpticalFlow.create(params.integer("preset")) : null;
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public void apply(final Mat source, final Mat target, final FilterContext context)
    {
        final Mat previous = context.previous();
        if (previous == null)
        {
            target.create(source.rows(), source.cols(), opencv_core.CV_8UC3);
            target.put(Scalar.all(0));
            return;
        }
        final Mat current = GrayView.of(source, grey);
        final Mat before = GrayView.of(previous, previousGrey);
        if (flowAlgorithm != null)
        {
            flowAlgorithm.calc(before, current, flow);
        }
        else
        {
            opencv_video.calcOpticalFlowFarneback(before, current, flow, FARNEBACK_PYRAMID_SCALE, FARNEBACK_LEVELS,
                FARNEBACK_WINDOW, FARNEBACK_ITERATIONS, FARNEBACK_POLY_N, FARNEBACK_POLY_SIGMA, 0);
        }
        opencv_core.extractChannel(flow, flowX, 0);
        opencv_core.extractChannel(flow, flowY, 1);
        opencv_core.cartToPolar(flowX, flowY, magnitude, angle, true);
        angle.convertTo(hue, opencv_core.CV_8U, HUE_PER_DEGREE, 0);
        magnitude.convertTo(value, opencv_core.CV_8U, gain, 0);
        if (saturation.rows() != source.rows() || saturation.cols() != source.cols())
        {
            saturation.create(source.rows(), source.cols(), opencv_core.CV_8U);
            saturation.put(Scalar.all(SATURATION));
        }
        hsvPlanes.put(0, hue);
        hsvPlanes.put(1, saturation);
        hsvPlanes.put(2, value);
        opencv_core.merge(hsvPlanes, hsv);
        opencv_imgproc.cvtColor(hsv, target, opencv_imgproc.COLOR_HSV2BGR);
    }

    @Override
    public void close()
    {
        if (flowAlgorithm != null)
        {
            flowAlgorithm.close();
        }
        grey.close();
        previousGrey.close();
        flow.close();
        flowX.close();
        flowY.close();
        magnitude.close();
        angle.close();
        hue.close();
        value.close();
        saturation.close();
        hsvPlanes.close();
        hsv.close();
    }
}
