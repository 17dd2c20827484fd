package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceDetectionFilterTest
{
    @Test
    void findsTheFaceInMessiAsFullResolutionDetectionDoes() throws FilterSpecException
    {
        final Mat image = TestFrames.sample("messi5.jpg");
        final List<int[]> fast = detect("faces", image);
        final List<int[]> reference = fullResolution(image);
        assertFalse(reference.isEmpty(), "full-resolution detection finds Messi's face");
        int found = 0;
        for (final int[] face : reference)
        {
            if (fast.stream().anyMatch(box -> iou(box, face) >= 0.5))
            {
                found++;
            }
        }
        assertTrue(found >= 0.95 * reference.size(), "recall " + found + "/" + reference.size());
        final Mat output = run("faces", image);
        assertTrue(TestFrames.nonZero(diff(image, output)) > 0, "boxes are drawn");
    }

    @Test
    void findsNoFaceInFlatOrNoiseImages() throws FilterSpecException
    {
        assertTrue(detect("faces", TestFrames.flat(480, 640, 128)).isEmpty());
        assertTrue(detect("faces", TestFrames.noise(480, 640, 9)).isEmpty());
        assertTrue(detect("faces:scale=1", TestFrames.noise(240, 320, 10)).isEmpty());
    }

    private static List<int[]> detect(final String pipeline, final Mat image) throws FilterSpecException
    {
        try (FilterChain chain = Pipeline.parse(pipeline).build())
        {
            final Mat output = new Mat(image.rows(), image.cols(), opencv_core.CV_8UC3);
            final Detections detections = chain.apply(image, null, output);
            final List<int[]> boxes = new ArrayList<>();
            for (int i = 0; i < detections.count(); i++)
            {
                boxes.add(new int[] {detections.x(i), detections.y(i), detections.width(i), detections.height(i)});
            }
            return boxes;
        }
    }

    private static Mat run(final String pipeline, final Mat image) throws FilterSpecException
    {
        try (FilterChain chain = Pipeline.parse(pipeline).build())
        {
            final Mat output = new Mat(image.rows(), image.cols(), opencv_core.CV_8UC3);
            chain.apply(image, null, output);
            return output;
        }
    }

    /** The plain OpenCV way: the whole grey image, default parameters. */
    static List<int[]> fullResolution(final Mat image)
    {
        try (CascadeClassifier classifier = new CascadeClassifier(FaceDetectionFilter.cascadePath());
            Mat grey = new Mat(); RectVector faces = new RectVector())
        {
            opencv_imgproc.cvtColor(image, grey, opencv_imgproc.COLOR_BGR2GRAY);
            opencv_imgproc.equalizeHist(grey, grey);
            classifier.detectMultiScale(grey, faces, 1.1, 4, 0, new Size(24, 24), new Size());
            final List<int[]> boxes = new ArrayList<>();
            for (long i = 0; i < faces.size(); i++)
            {
                final Rect r = faces.get(i);
                boxes.add(new int[] {r.x(), r.y(), r.width(), r.height()});
            }
            return boxes;
        }
    }

    static double iou(final int[] a, final int[] b)
    {
        final int x1 = Math.max(a[0], b[0]);
        final int y1 = Math.max(a[1], b[1]);
        final int x2 = Math.min(a[0] + a[2], b[0] + b[2]);
        final int y2 = Math.min(a[1] + a[3], b[1] + b[3]);
        final double inter = Math.max(0, x2 - x1) * (double)Math.max(0, y2 - y1);
        return inter / (a[2] * (double)a[3] + b[2] * (double)b[3] - inter);
    }

    private static Mat diff(final Mat a, final Mat b)
    {
        final Mat d = new Mat();
        opencv_core.absdiff(a, b, d);
        assertEquals(a.type(), d.type());
        return d;
    }
}
