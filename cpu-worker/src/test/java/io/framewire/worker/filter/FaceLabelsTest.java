package io.framewire.worker.filter;

import io.framewire.samples.LabelledFaces;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both {@code faces} methods against the labelled set ({@link LabelledFaces}: 27 frames of opencv-doc's samples,
 * 24 faces). The floors are what BlazeFace reached when it became the default; the suite fails if it does worse.
 */
class FaceLabelsTest
{
    /** BlazeFace's result when it became the default (docs/perf.md): found faces, and false boxes at most. */
    private static final int DNN_FOUND = 24;
    private static final int DNN_FALSE_BOXES = 0;

    private static List<LabelledFaces.Labelled> set;

    @BeforeAll
    static void load()
    {
        Assumptions.assumeTrue(LabelledFaces.available(),
            "needs opencv-doc's sample media (apt-get install opencv-doc)");
        set = LabelledFaces.load();
    }

    @AfterAll
    static void free()
    {
        if (set != null)
        {
            set.forEach(labelled -> labelled.frame().close());
        }
    }

    private static LabelledFaces.Score score(final String pipeline) throws FilterSpecException
    {
        final List<List<int[]>> found = new ArrayList<>();
        try (FilterChain chain = ProcessingTypes.pipeline("faces", pipeline.isEmpty() ? Map.of() :
            Map.of("method", pipeline)).build())
        {
            for (final LabelledFaces.Labelled labelled : set)
            {
                final Mat frame = labelled.frame();
                try (Mat output = new Mat(frame.rows(), frame.cols(), opencv_core.CV_8UC3))
                {
                    final Detections detections = chain.apply(frame, null, output);
                    final List<int[]> boxes = new ArrayList<>();
                    for (int i = 0; i < detections.count(); i++)
                    {
                        boxes.add(new int[] {detections.x(i), detections.y(i), detections.width(i),
                            detections.height(i)});
                    }
                    found.add(boxes);
                }
            }
        }
        final LabelledFaces.Score score = LabelledFaces.score(set, found);
        System.err.println((pipeline.isEmpty() ? "default" : pipeline) + ": " + score);
        return score;
    }

    @Test
    void theDefaultDnnFindsEveryLabelledFaceWithNoFalseBox() throws Exception
    {
        final LabelledFaces.Score dnn = score("");
        assertTrue(dnn.found() >= DNN_FOUND, "dnn found " + dnn.found() + " of " + dnn.faces() +
            ", fewer than the " + DNN_FOUND + " it found when it became the default");
        assertTrue(dnn.falseBoxes() <= DNN_FALSE_BOXES, "dnn drew " + dnn.falseBoxes() + " false boxes, more than " +
            DNN_FALSE_BOXES);
        assertTrue(dnn.recall() >= 0.95, "recall " + dnn.recall());
    }

    @Test
    void dnnFindsMoreThanHaarWithNoMoreFalseBoxes() throws Exception
    {
        final LabelledFaces.Score dnn = score("dnn");
        final LabelledFaces.Score haar = score("haar");
        assertTrue(dnn.found() >= haar.found(), "dnn " + dnn + ", haar " + haar);
        assertTrue(dnn.falseBoxes() <= haar.falseBoxes(), "dnn " + dnn + ", haar " + haar);
    }
}
