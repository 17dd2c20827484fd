package io.framewire.perf;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

import java.util.ArrayList;
import java.util.List;

/**
 * Speed and recall of the {@code faces} filter against plain full-resolution Haar detection on Debian's sample
 * media (messi5.jpg and every 15th frame of Megamind.avi), single-threaded. A reference face counts as found when a
 * box of the filter overlaps it with IoU ≥ 0.4. Usage: {@code FaceRecall [PIPELINE...]}.
 */
public final class FaceRecall
{
    private static final String DATA = "/usr/share/doc/opencv-doc/examples/data/";

    private FaceRecall()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        opencv_core.setNumThreads(1);
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        final List<Mat> frames = sampleFrames();
        final List<List<int[]>> reference = new ArrayList<>();
        long referenceStart = 0;
        int referenceFaces = 0;
        try (CascadeClassifier cascade = new CascadeClassifier(Loader.cacheResource("/org/bytedeco/opencv/" +
            Loader.getPlatform() + "/share/opencv4/haarcascades/haarcascade_frontalface_default.xml").getPath()))
        {
            for (final Mat frame : frames)
            {
                fullResolution(cascade, frame); // warm-up pass, not timed
            }
            referenceStart = System.nanoTime();
            for (final Mat frame : frames)
            {
                final List<int[]> faces = fullResolution(cascade, frame);
                reference.add(faces);
                referenceFaces += faces.size();
            }
        }
        final double referenceMs = (System.nanoTime() - referenceStart) / 1e6 / frames.size();
        System.out.printf("%d frames, %d reference faces; full-resolution Haar: %.1f ms per frame%n", frames.size(),
            referenceFaces, referenceMs);
        System.out.println("pipeline                                   ms/frame  speed-up  recall");
        final String[] pipelines = args.length > 0 ? args : new String[] {
            "faces", "faces:scale=1", "faces:scale=0.5", "faces:scale=0.5,min_size=48", "faces:scale=0.6"};
        for (final String spec : pipelines)
        {
            try (FilterChain chain = Pipeline.parse(spec).build())
            {
                for (final Mat frame : frames)
                {
                    chain.apply(frame, null, new Mat(frame.rows(), frame.cols(), opencv_core.CV_8UC3));
                }
                int found = 0;
                long elapsed = 0;
                for (int i = 0; i < frames.size(); i++)
                {
                    final Mat frame = frames.get(i);
                    final Mat output = new Mat(frame.rows(), frame.cols(), opencv_core.CV_8UC3);
                    final long start = System.nanoTime();
                    final Detections detections = chain.apply(frame, null, output);
                    elapsed += System.nanoTime() - start;
                    for (final int[] face : reference.get(i))
                    {
                        for (int d = 0; d < detections.count(); d++)
                        {
                            if (iou(face, detections.x(d), detections.y(d), detections.width(d),
                                detections.height(d)) >= 0.4)
                            {
                                found++;
                                break;
                            }
                        }
                    }
                }
                final double ms = elapsed / 1e6 / frames.size();
                System.out.printf("%-42s %8.1f  %7.1fx  %d/%d (%.0f%%)%n", Pipeline.parse(spec).spec(), ms,
                    referenceMs / ms, found, referenceFaces, 100.0 * found / Math.max(1, referenceFaces));
            }
        }
    }

    private static List<Mat> sampleFrames() throws Exception
    {
        final List<Mat> frames = new ArrayList<>();
        frames.add(opencv_imgcodecs.imread(DATA + "messi5.jpg"));
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(DATA + "Megamind.avi");
            OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat())
        {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            grabber.start();
            Frame frame;
            int n = 0;
            while ((frame = grabber.grabImage()) != null)
            {
                if (n++ % 15 == 0)
                {
                    frames.add(converter.convert(frame).clone());
                }
            }
        }
        return frames;
    }

    private static List<int[]> fullResolution(final CascadeClassifier cascade, final Mat frame)
    {
        try (Mat grey = new Mat(); RectVector faces = new RectVector(); Size min = new Size(24, 24);
            Size max = new Size())
        {
            opencv_imgproc.cvtColor(frame, grey, opencv_imgproc.COLOR_BGR2GRAY);
            opencv_imgproc.equalizeHist(grey, grey);
            cascade.detectMultiScale(grey, faces, 1.1, 3, 0, min, max);
            final List<int[]> boxes = new ArrayList<>();
            for (long i = 0; i < faces.size(); i++)
            {
                final Rect r = faces.get(i);
                boxes.add(new int[] {r.x(), r.y(), r.width(), r.height()});
            }
            return boxes;
        }
    }

    private static double iou(final int[] a, final int x, final int y, final int w, final int h)
    {
        final int x1 = Math.max(a[0], x);
        final int y1 = Math.max(a[1], y);
        final int x2 = Math.min(a[0] + a[2], x + w);
        final int y2 = Math.min(a[1] + a[3], y + h);
        final double inter = Math.max(0, x2 - x1) * (double)Math.max(0, y2 - y1);
        return inter / (a[2] * (double)a[3] + w * (double)h - inter);
    }
}
