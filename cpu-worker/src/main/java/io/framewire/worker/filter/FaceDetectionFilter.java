package io.framewire.worker.filter;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Frontal faces with OpenCV's Haar cascade. Detection runs on a grey copy downscaled by {@code scale} and the boxes
 * are mapped back and drawn on the frame in green; each box is also reported in the frame's detections. Haar's
 * results change under resampling, so the default 0.75 trades a little recall for speed (measured in
 * docs/perf.md); {@code scale=1} detects exactly as plain OpenCV does.
 */
public final class FaceDetectionFilter implements FrameFilter
{
    public static final String CASCADE = "haarcascade_frontalface_default.xml";

    private final double scale;
    private final int minNeighbours;
    private final int minSize;
    private final String spec;
    private final CascadeClassifier classifier;
    private final Mat grey = new Mat();
    private final Mat small = new Mat();
    private final RectVector faces = new RectVector();
    private final Scalar green = new Scalar(0, 255, 0, 0);
    private final Size minSizeScaled;
    private final Size maxSize = new Size();
    private final Size none = new Size();
    private final Point topLeft = new Point();
    private final Point bottomRight = new Point();
    private final int[] box = new int[4];

    public FaceDetectionFilter(final Params params)
    {
        this.scale = params.real("scale");
        this.minNeighbours = params.integer("neighbors");
        this.minSize = params.integer("min_size");
        this.spec = params.spec();
        final int scaledMin = Math.max(8, (int)Math.round(minSize * scale));
        this.minSizeScaled = new Size(scaledMin, scaledMin);
        this.classifier = new CascadeClassifier(cascadePath());
        if (classifier.empty())
        {
            throw new IllegalStateException("cannot load " + CASCADE);
        }
    }

    /** The cascade ships inside the OpenCV jar; JavaCPP extracts it to its cache once. */
    public static String cascadePath()
    {
        try
        {
            return Loader.cacheResource("/org/bytedeco/opencv/" + Loader.getPlatform() +
                "/share/opencv4/haarcascades/" + CASCADE).getPath();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot extract " + CASCADE + " from the OpenCV jar", ex);
        }
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public void apply(final Mat source, final Mat target, final FilterContext context)
    {
        final Mat intensity = GrayView.of(source, grey);
        if (scale < 1.0)
        {
            opencv_imgproc.resize(intensity, small, none, scale, scale, opencv_imgproc.INTER_AREA);
            opencv_imgproc.equalizeHist(small, small);
        }
        else
        {
            opencv_imgproc.equalizeHist(intensity, small);
        }
        classifier.detectMultiScale(small, faces, 1.1, minNeighbours, 0, minSizeScaled, maxSize);

        source.copyTo(target);
        final Detections detections = context.detections();
        final double back = 1.0 / scale;
        for (long i = 0, n = faces.size(); i < n; i++)
        {
            try (Rect face = faces.get(i))
            {
                detections.addScaled(face, back, box);
                topLeft.x(box[0]).y(box[1]);
                bottomRight.x(box[0] + box[2] - 1).y(box[1] + box[3] - 1);
                opencv_imgproc.rectangle(target, topLeft, bottomRight, green, Math.max(2, source.cols() / 400),
                    opencv_imgproc.LINE_8, 0);
            }
        }
    }

    @Override
    public void close()
    {
        classifier.close();
        grey.close();
        small.close();
        faces.close();
        green.close();
        minSizeScaled.close();
        maxSize.close();
        none.close();
        topLeft.close();
        bottomRight.close();
    }
}
