package io.framewire.perf;

import io.framewire.samples.LabelledFaces;
import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Speed and accuracy of the {@code faces} methods against the labelled set ({@link LabelledFaces}: frames of
 * opencv-doc's samples with their faces boxed by eye), on one thread, at the frames' own size and scaled up so their
 * long side is 1280, 1920 and 3840 px (the labels scaled with them). Usage: {@code FaceRecall [PIPELINE...]}.
 */
public final class FaceRecall
{
    private static final int[] LONG_SIDES = {0, 1280, 1920, 3840};

    private FaceRecall()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        opencv_core.setNumThreads(1);
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        final List<LabelledFaces.Labelled> set = LabelledFaces.load();
        final String[] pipelines = args.length > 0 ? args :
            new String[] {"blazeface", "blazeface:min_face=24", "faces"};
        System.out.println("size   pipeline                                           ms/frame  found  false boxes");
        for (final int longSide : LONG_SIDES)
        {
            final List<LabelledFaces.Labelled> sized = longSide == 0 ? set : scaled(set, longSide);
            for (final String spec : pipelines)
            {
                final List<List<int[]>> found = new ArrayList<>();
                long elapsed = 0;
                try (FilterChain chain = Pipeline.parse(spec).build())
                {
                    run(chain, sized.getFirst().frame()); // warm-up, not timed
                    for (final LabelledFaces.Labelled labelled : sized)
                    {
                        final long start = System.nanoTime();
                        found.add(run(chain, labelled.frame()));
                        elapsed += System.nanoTime() - start;
                    }
                }
                final LabelledFaces.Score score = LabelledFaces.score(sized, found);
                System.out.printf(Locale.ROOT, "%-6s %-50s %8.1f  %2d/%2d  %d%n",
                    longSide == 0 ? "own" : Integer.toString(longSide), Pipeline.parse(spec).spec(),
                    elapsed / 1e6 / sized.size(), score.found(), score.faces(), score.falseBoxes());
            }
        }
    }

    private static List<int[]> run(final FilterChain chain, final Mat frame)
    {
        try (Mat output = new Mat(frame.rows(), frame.cols(), opencv_core.CV_8UC3))
        {
            final Detections detections = chain.apply(frame, null, output);
            final List<int[]> boxes = new ArrayList<>();
            for (int i = 0; i < detections.count(); i++)
            {
                boxes.add(new int[] {detections.x(i), detections.y(i), detections.width(i), detections.height(i)});
            }
            return boxes;
        }
    }

    /** The set with each frame resized so its long side is {@code longSide}, and its labels with it. */
    private static List<LabelledFaces.Labelled> scaled(final List<LabelledFaces.Labelled> set, final int longSide)
    {
        final List<LabelledFaces.Labelled> scaled = new ArrayList<>();
        for (final LabelledFaces.Labelled labelled : set)
        {
            final Mat frame = labelled.frame();
            final double factor = (double)longSide / Math.max(frame.cols(), frame.rows());
            final Mat resized = new Mat();
            try (Size size = new Size((int)Math.round(frame.cols() * factor), (int)Math.round(frame.rows() * factor)))
            {
                opencv_imgproc.resize(frame, resized, size, 0, 0, opencv_imgproc.INTER_LINEAR);
            }
            final List<int[]> faces = new ArrayList<>();
            for (final int[] face : labelled.faces())
            {
                faces.add(new int[] {(int)Math.round(face[0] * factor), (int)Math.round(face[1] * factor),
                    (int)Math.round(face[2] * factor), (int)Math.round(face[3] * factor)});
            }
            scaled.add(new LabelledFaces.Labelled(labelled.source(), resized, faces));
        }
        return scaled;
    }
}
