package io.framewire.gpu;

import io.framewire.gpu.filter.CudaFilterChain;
import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ops/gpu-check.sh}: proves a GPU host. Reports the device, runs every filter through the CUDA chain and the
 * CPU chain on the same frames, compares each output with its CPU twin's against {@link CudaTolerance}, and prints
 * a table of milliseconds per frame for both. Exit code 0 when every filter is within tolerance, 1 when one is not,
 * 3 when CUDA cannot be used here (the CPU column is still printed).
 */
public final class GpuCheck
{
    private static final Path SAMPLE = Path.of("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
    static final List<String> SPECS = List.of("gaussian", "median", "bilateral", "gray", "canny", "sobel",
        "laplacian", "blazeface", "faces", "diff", "flow:algorithm=1", "gray|gaussian:ksize=5|canny");
    private static final int WARM_UP = 3;

    private GpuCheck()
    {
    }

    public static void main(final String[] args) throws FilterSpecException
    {
        final int width;
        final int height;
        final int frames;
        try
        {
            width = args.length > 0 ? Integer.parseInt(args[0]) : 1280;
            height = args.length > 1 ? Integer.parseInt(args[1]) : 720;
            frames = args.length > 2 ? Integer.parseInt(args[2]) : 30;
            if (width < 64 || height < 64 || width > 7680 || height > 4320 || frames < 2 || frames > 1000)
            {
                throw new NumberFormatException("out of range");
            }
        }
        catch (final NumberFormatException ex)
        {
            System.err.println("usage: ops/gpu-check.sh [WIDTH 64-7680] [HEIGHT 64-4320] [FRAMES 2-1000]");
            System.exit(2);
            return;
        }
        final CudaSelection selection = CudaSelection.probe();
        System.setProperty(CudaSelection.PLATFORM_EXTENSION, selection.usable() ? "-gpu" : "");
        System.out.println("device: " + (selection.usable() ? selection.device() : "none"));
        System.out.println("cuda: " + selection.reason());
        System.out.println("frames: " + frames + " of " + width + "x" + height + " from " +
            (Files.isReadable(SAMPLE) ? SAMPLE : "a synthetic pattern") + ", panning 3 px per frame");
        final List<Mat> input = frames(width, height, frames + WARM_UP);
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "%-30s %9s %9s %8s  %s", "filter", "cpu ms", "cuda ms",
            "speedup", "difference (tolerance)"));
        boolean allWithin = true;
        for (final String spec : SPECS)
        {
            final Pipeline pipeline = Pipeline.parse(spec);
            final List<Mat> cpuOut = new ArrayList<>();
            final List<List<int[]>> cpuBoxes = new ArrayList<>();
            final double cpuMs;
            try (FilterChain cpu = pipeline.build())
            {
                cpuMs = run(cpu, input, cpuOut, cpuBoxes);
            }
            if (!selection.usable())
            {
                System.out.println(String.format(Locale.ROOT, "%-30s %9.2f %9s %8s  %s", spec, cpuMs, "-", "-", "-"));
                continue;
            }
            final List<Mat> cudaOut = new ArrayList<>();
            final List<List<int[]>> cudaBoxes = new ArrayList<>();
            final double cudaMs;
            try (FilterChain cuda = CudaFilterChain.build(pipeline, selection))
            {
                cudaMs = run(cuda, input, cudaOut, cudaBoxes);
            }
            final CudaTolerance tolerance = CudaTolerance.of(pipeline);
            final CudaTolerance.Result result = tolerance.compare(cpuOut, cudaOut, cpuBoxes, cudaBoxes);
            allWithin &= result.within();
            System.out.println(String.format(Locale.ROOT, "%-30s %9.2f %9.2f %7.1fx  %s %s", spec, cpuMs, cudaMs,
                cpuMs / cudaMs, result.within() ? "ok  " : "OVER", result.description()));
            cpuOut.forEach(Mat::close);
            cudaOut.forEach(Mat::close);
        }
        input.forEach(Mat::close);
        if (!selection.usable())
        {
            System.out.println("\nCUDA cannot be used here, so only the CPU ran: " + selection.reason());
            System.exit(3);
        }
        System.out.println(allWithin ? "\nevery CUDA filter matches its CPU twin within tolerance" :
            "\nsome CUDA filters differ from their CPU twins beyond tolerance (OVER above)");
        System.exit(allWithin ? 0 : 1);
    }

    /** Runs a chain over the frames, keeping the outputs after the warm-up; returns the mean ms per frame. */
    private static double run(final FilterChain chain, final List<Mat> input, final List<Mat> outputs,
        final List<List<int[]>> boxes)
    {
        long nanos = 0;
        for (int i = 0; i < input.size(); i++)
        {
            final Mat output = new Mat();
            final long start = System.nanoTime();
            final Detections found = chain.apply(input.get(i), i == 0 || !chain.needsPrevious() ? null :
                input.get(i - 1), output);
            final long elapsed = System.nanoTime() - start;
            if (i < WARM_UP)
            {
                output.close();
                continue;
            }
            nanos += elapsed;
            outputs.add(output);
            final List<int[]> frameBoxes = new ArrayList<>();
            for (int b = 0; b < found.count(); b++)
            {
                frameBoxes.add(new int[] {found.x(b), found.y(b), found.width(b), found.height(b)});
            }
            boxes.add(frameBoxes);
        }
        return nanos / 1e6 / (input.size() - WARM_UP);
    }

    /** Frames panning across the sample photo (or a pattern when it is not installed), so motion filters see motion. */
    static List<Mat> frames(final int width, final int height, final int count)
    {
        final int travel = 3 * count;
        final Mat base = new Mat();
        try (Mat photo = opencv_imgcodecs.imread(SAMPLE.toString()); Size size = new Size(width + travel, height))
        {
            if (photo.empty())
            {
                try (Mat pattern = pattern(width + travel, height))
                {
                    pattern.copyTo(base);
                }
            }
            else
            {
                opencv_imgproc.resize(photo, base, size, 0, 0, opencv_imgproc.INTER_LINEAR);
            }
        }
        final List<Mat> frames = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            try (Rect window = new Rect(3 * i, 0, width, height); Mat view = new Mat(base, window))
            {
                frames.add(view.clone());
            }
        }
        base.close();
        return frames;
    }

    private static Mat pattern(final int width, final int height)
    {
        final Mat pattern = new Mat(height, width, opencv_core.CV_8UC3);
        try (Mat low = new Mat(1, 1, opencv_core.CV_64F, Scalar.all(0));
            Mat high = new Mat(1, 1, opencv_core.CV_64F, Scalar.all(255)); Size kernel = new Size(9, 9))
        {
            opencv_core.randu(pattern, low, high);
            opencv_imgproc.GaussianBlur(pattern, pattern, kernel, 3);
        }
        return pattern;
    }
}
