package io.framewire.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled set for face detectors: frames of Debian's opencv-doc samples (messi5.jpg, Megamind.avi, vtest.avi)
 * with their faces boxed by eye ({@code faces.json} beside this class), and the score of a detector against it.
 * A face counts as found when a box overlaps it with IoU ≥ {@link #MATCH_IOU}; a box that overlaps no face is false.
 */
public final class LabelledFaces
{
    /** Where Debian's opencv-doc package puts the sample media. */
    public static final Path DATA = Path.of("/usr/share/doc/opencv-doc/examples/data");
    /** Detectors draw a face's box to different edges (brows or hairline, chin or neck): a loose match. */
    public static final double MATCH_IOU = 0.4;

    /** One labelled frame: where it comes from, the frame (BGR), and its faces as x, y, width, height. */
    public record Labelled(String source, Mat frame, List<int[]> faces)
    {
    }

    /** A detector's result on the set. */
    public record Score(int faces, int found, int falseBoxes, int frames)
    {
        public double recall()
        {
            return faces == 0 ? 1 : (double)found / faces;
        }

        public double falseBoxesPerFrame()
        {
            return (double)falseBoxes / frames;
        }
    }

    private LabelledFaces()
    {
    }

    /** Whether the sample media are installed (apt-get install opencv-doc). */
    public static boolean available()
    {
        return Files.isReadable(DATA.resolve("Megamind.avi")) && Files.isReadable(DATA.resolve("vtest.avi")) &&
            Files.isReadable(DATA.resolve("messi5.jpg"));
    }

    /** Every labelled frame, decoded; the caller closes the Mats. */
    public static List<Labelled> load()
    {
        final JsonNode labels;
        try (InputStream in = LabelledFaces.class.getResourceAsStream("faces.json"))
        {
            labels = new ObjectMapper().readTree(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final List<Labelled> set = new ArrayList<>();
        for (final JsonNode image : labels.get("images"))
        {
            final String file = image.get("file").asText();
            set.add(new Labelled(file, opencv_imgcodecs.imread(DATA.resolve(file).toString()), boxes(image)));
        }
        for (final JsonNode video : labels.get("videos"))
        {
            readVideo(video, set);
        }
        return set;
    }

    private static void readVideo(final JsonNode video, final List<Labelled> set)
    {
        final String file = video.get("file").asText();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(DATA.resolve(file).toFile());
            OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat())
        {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            grabber.start();
            int index = 0;
            for (final JsonNode labelled : video.get("frames"))
            {
                final int wanted = labelled.get("frame").asInt();
                Frame frame = grabber.grabImage();
                while (frame != null && index < wanted)
                {
                    frame = grabber.grabImage();
                    index++;
                }
                if (frame == null)
                {
                    throw new IllegalStateException(file + " has no frame " + wanted);
                }
                set.add(new Labelled(file + "#" + wanted, converter.convert(frame).clone(), boxes(labelled)));
                index++;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static List<int[]> boxes(final JsonNode entry)
    {
        final List<int[]> boxes = new ArrayList<>();
        for (final JsonNode box : entry.get("faces"))
        {
            boxes.add(new int[] {box.get(0).asInt(), box.get(1).asInt(), box.get(2).asInt(), box.get(3).asInt()});
        }
        return boxes;
    }

    /** The score of {@code found}, a detector's boxes for each labelled frame in turn. */
    public static Score score(final List<Labelled> set, final List<List<int[]>> found)
    {
        int faces = 0;
        int hits = 0;
        int falseBoxes = 0;
        for (int i = 0; i < set.size(); i++)
        {
            final List<int[]> truth = set.get(i).faces();
            final List<int[]> boxes = found.get(i);
            faces += truth.size();
            for (final int[] face : truth)
            {
                if (boxes.stream().anyMatch(box -> iou(box, face) >= MATCH_IOU))
                {
                    hits++;
                }
            }
            for (final int[] box : boxes)
            {
                if (truth.stream().noneMatch(face -> iou(box, face) >= MATCH_IOU))
                {
                    falseBoxes++;
                }
            }
        }
        return new Score(faces, hits, falseBoxes, set.size());
    }

    /** Intersection over union of two x, y, width, height boxes. */
    public static double iou(final int[] a, final int[] b)
    {
        final int ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
        final int iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
        final double intersection = (double)ix * iy;
        return intersection / ((double)a[2] * a[3] + (double)b[2] * b[3] - intersection);
    }
}
