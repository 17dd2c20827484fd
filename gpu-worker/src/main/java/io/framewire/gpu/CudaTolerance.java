package io.framewire.gpu;

import io.framewire.worker.filter.Pipeline;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.util.List;
import java.util.Locale;

/**
 * How far a CUDA filter's output may be from its CPU twin's, per filter (the pipeline's last step decides), as
 * docs/gpu.md lists. The bounds follow from the arithmetic: OpenCV's CPU filters on 8 bits use fixed point where
 * CUDA uses float (±1 levels), CUDA's median treats the border band differently, bilateral weights come from a
 * table on the CPU and from expf on CUDA, Canny's hysteresis flips a few marginal pixels, Farneback's float
 * solver drifts and the flow gain magnifies it. Faces compare boxes, not pixels.
 *
 * @param meanDifference largest mean absolute difference of a frame, in levels.
 * @param level          a pixel differs when some channel is further apart than this.
 * @param share          largest share of pixels that may differ, over all frames.
 * @param boxes          compare detections (same count per frame, each overlapping its twin by at least 0.6 IoU).
 */
public record CudaTolerance(double meanDifference, int level, double share, boolean boxes)
{
    static final double MIN_BOX_OVERLAP = 0.6;

    /** The outcome of a comparison, for the check's table. */
    public record Result(boolean within, String description)
    {
    }

    public static CudaTolerance of(final Pipeline pipeline)
    {
        final List<Pipeline.Step> steps = pipeline.steps();
        return switch (steps.get(steps.size() - 1).def().name())
        {
            case "gaussian" -> new CudaTolerance(0.5, 2, 0.001, false);
            case "median" -> new CudaTolerance(0.5, 2, 0.01, false);
            case "bilateral" -> new CudaTolerance(1.0, 3, 0.02, false);
            case "gray" -> new CudaTolerance(0.5, 1, 0, false);
            case "canny" -> new CudaTolerance(2.6, 0, 0.01, false);
            case "sobel", "laplacian" -> new CudaTolerance(0.5, 2, 0.005, false);
            case "diff" -> new CudaTolerance(0, 0, 0, false);
            case "flow" -> new CudaTolerance(4.0, 16, 0.10, false);
            case "faces", "blazeface" -> new CudaTolerance(Double.MAX_VALUE, 255, 1, true);
            default -> new CudaTolerance(1.0, 2, 0.01, false);
        };
    }

    public Result compare(final List<Mat> cpu, final List<Mat> cuda, final List<List<int[]>> cpuBoxes,
        final List<List<int[]>> cudaBoxes)
    {
        if (boxes)
        {
            int matched = 0;
            int total = 0;
            boolean sameCounts = true;
            for (int f = 0; f < cpuBoxes.size(); f++)
            {
                final List<int[]> expected = cpuBoxes.get(f);
                final List<int[]> found = cudaBoxes.get(f);
                sameCounts &= expected.size() == found.size();
                total += expected.size();
                for (final int[] box : expected)
                {
                    if (found.stream().anyMatch(other -> overlap(box, other) >= MIN_BOX_OVERLAP))
                    {
                        matched++;
                    }
                }
            }
            return new Result(sameCounts && matched == total, String.format(Locale.ROOT,
                "%d of %d CPU boxes matched (IoU >= %.1f), counts per frame %s", matched, total, MIN_BOX_OVERLAP,
                sameCounts ? "equal" : "differ"));
        }
        double worstMean = 0;
        long differing = 0;
        long pixels = 0;
        try (Mat difference = new Mat(); Mat grey = new Mat(); Mat over = new Mat())
        {
            for (int f = 0; f < cpu.size(); f++)
            {
                opencv_core.absdiff(cpu.get(f), cuda.get(f), difference);
                final Scalar mean = opencv_core.mean(difference);
                worstMean = Math.max(worstMean, (mean.get(0) + mean.get(1) + mean.get(2)) / 3);
                // A pixel differs when its largest channel difference is over the level.
                opencv_core.reduce(difference.reshape(1, difference.rows() * difference.cols()), grey, 1,
                    opencv_core.REDUCE_MAX);
                opencv_imgproc.threshold(grey, over, level, 255, opencv_imgproc.THRESH_BINARY);
                differing += opencv_core.countNonZero(over);
                pixels += (long)difference.rows() * difference.cols();
            }
        }
        final double differingShare = pixels == 0 ? 0 : (double)differing / pixels;
        return new Result(worstMean <= meanDifference && differingShare <= share, String.format(Locale.ROOT,
            "mean %.3f (<= %.3f), %.4f%% of pixels over %d levels (<= %.4f%%)", worstMean, meanDifference,
            100 * differingShare, level, 100 * share));
    }

    private static double overlap(final int[] a, final int[] b)
    {
        final int x = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
        final int y = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
        final double intersection = (double)x * y;
        return intersection / ((double)a[2] * a[3] + (double)b[2] * b[3] - intersection);
    }
}
