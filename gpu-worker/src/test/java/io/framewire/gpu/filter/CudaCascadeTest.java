package io.framewire.gpu.filter;

import io.framewire.worker.filter.FaceDetectionFilter;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The face cascade in the CUDA classifier's format is the same cascade: OpenCV's own converter (old format to new)
 * turns it back into a cascade that finds exactly the faces the original finds. This runs on the CPU, so it holds
 * on every host, GPU or not.
 */
class CudaCascadeTest
{
    private static final Path DATA = Path.of("/usr/share/doc/opencv-doc/examples/data");

    @TempDir
    Path dir;

    @Test
    void convertsBackToACascadeThatFindsTheSameFaces() throws IOException
    {
        final Path original = Path.of(FaceDetectionFilter.cascadePath());
        final Path old = dir.resolve("cuda-format.xml");
        Files.writeString(old, CudaCascade.convert(original));
        final String text = Files.readString(old);
        assertTrue(text.contains("type_id=\"opencv-haar-classifier\"") && text.contains("<size>24 24</size>"),
            "old format");
        assertEquals(25, count(text, "<stage_threshold>"), "every stage");
        assertEquals(count(Files.readString(original), "<internalNodes>"), count(text, "<left_val>"), "every stump");

        final Path back = dir.resolve("back.xml");
        assertTrue(CascadeClassifier.convert(old.toString(), back.toString()), "OpenCV reads the old format");
        final List<String> images = new ArrayList<>();
        for (final String name : new String[] {"messi5.jpg", "baboon.jpg", "fruits.jpg", "home.jpg",
            "starry_night.jpg", "pic1.png"})
        {
            if (Files.isReadable(DATA.resolve(name)))
            {
                images.add(name);
            }
        }
        assumeTrue(!images.isEmpty(), "no sample images in " + DATA + " (Debian package opencv-doc)");
        int faces = 0;
        try (CascadeClassifier reference = new CascadeClassifier(original.toString());
            CascadeClassifier converted = new CascadeClassifier(back.toString()))
        {
            assertFalse(converted.empty());
            for (final String name : images)
            {
                final List<String> expected = detect(reference, DATA.resolve(name));
                assertEquals(expected, detect(converted, DATA.resolve(name)), name);
                faces += expected.size();
            }
        }
        assertTrue(faces > 0, "the images hold faces, so the comparison means something");
    }

    @Test
    void refusesCascadesOfTrees() throws IOException
    {
        // A weak classifier of two nodes instead of one stump: "1 -1 0 0.5 0 -2 1 0.25".
        final String cascade = Files.readString(Path.of(FaceDetectionFilter.cascadePath()));
        final int nodes = cascade.indexOf("<internalNodes>");
        final Path trees = dir.resolve("trees.xml");
        Files.writeString(trees, cascade.substring(0, nodes) + "<internalNodes>1 -1 0 0.5 0 -2 1 0.25</internalNodes>" +
            cascade.substring(cascade.indexOf("</internalNodes>", nodes) + "</internalNodes>".length()));
        final IOException error = assertThrows(IOException.class, () -> CudaCascade.convert(trees));
        assertTrue(error.getMessage().contains("only cascades of stumps convert; stage 0 has a tree"),
            error.getMessage());
    }

    @Test
    void theCudaFormIsWrittenOnceAndReused()
    {
        final String path = CudaCascade.path();
        assertTrue(path.endsWith(".cuda-format.xml"), path);
        assertTrue(Files.isReadable(Path.of(path)));
        assertEquals(path, CudaCascade.path());
    }

    private static List<String> detect(final CascadeClassifier classifier, final Path image)
    {
        final List<String> boxes = new ArrayList<>();
        try (Mat colour = opencv_imgcodecs.imread(image.toString()); Mat grey = new Mat();
            RectVector found = new RectVector(); Size min = new Size(24, 24); Size max = new Size())
        {
            opencv_imgproc.cvtColor(colour, grey, opencv_imgproc.COLOR_BGR2GRAY);
            opencv_imgproc.equalizeHist(grey, grey);
            classifier.detectMultiScale(grey, found, 1.1, 3, 0, min, max);
            for (long i = 0; i < found.size(); i++)
            {
                try (Rect r = found.get(i))
                {
                    boxes.add(r.x() + "," + r.y() + "," + r.width() + "x" + r.height());
                }
            }
        }
        // Detection runs on several threads, so the order of the boxes varies from run to run.
        boxes.sort(null);
        return boxes;
    }

    private static int count(final String text, final String needle)
    {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1))
        {
            count++;
        }
        return count;
    }
}
