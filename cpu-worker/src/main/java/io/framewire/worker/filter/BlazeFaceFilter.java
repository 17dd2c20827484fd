package io.framewire.worker.filter;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.StringVector;
import org.bytedeco.opencv.opencv_dnn.Net;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Faces with MediaPipe's BlazeFace (the back-camera model, 256×256), run by OpenCV DNN: each pass letterboxes a
 * region of the frame to the network's square input (RGB in [-1, 1], NHWC), and {@link BlazeFaceDecoder} turns the
 * outputs into boxes. One pass over the whole frame finds faces down to 1/16 of its long side; {@code min_face}
 * smaller than that adds overlapping square tiles in which such a face is still 16 px at the network's input, the
 * boxes of all passes merged. Boxes are drawn in green and reported, as the Haar method does.
 */
public final class BlazeFaceFilter implements FrameFilter
{
    /** Where the build puts the model it fetched (see cpu-worker/pom.xml). */
    public static final String MODEL =
        "/io/framewire/worker/filter/blazeface/face_detection_back_256x256_barracuda.onnx";
    /** The smallest face a pass finds, in the network's input. */
    static final int MIN_FACE_AT_INPUT = 16;

    private static final int INPUT = BlazeFaceDecoder.INPUT;
    private static volatile byte[] model;

    private final float threshold;
    private final float iou;
    private final int minFace;
    private final String spec;
    private final Net net;
    private final StringVector outputNames;
    private final MatVector outputs = new MatVector();
    private final BlazeFaceDecoder pass = new BlazeFaceDecoder();
    private final BlazeFaceDecoder merged = new BlazeFaceDecoder();
    private final Mat resized = new Mat();
    private final Mat canvas = new Mat(INPUT, INPUT, opencv_core.CV_8UC3);
    private final Mat rgb = new Mat(INPUT, INPUT, opencv_core.CV_8UC3);
    private final Mat input = new Mat(INPUT, INPUT, opencv_core.CV_32FC3);
    private final Mat blob;
    private final Size scaled = new Size();
    private final Rect placedRect = new Rect();
    private Mat placedView;
    private final Scalar black = Scalar.all(0);
    private final Scalar green = new Scalar(0, 255, 0, 0);
    private final Point topLeft = new Point();
    private final Point bottomRight = new Point();
    private final float[] points = new float[BlazeFaceDecoder.KEYPOINT_VALUES];
    private final int[] keypoints = new int[BlazeFaceDecoder.KEYPOINT_VALUES];
    private final UnsafeBuffer scores = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer boxes = new UnsafeBuffer(0, 0);

    /** On the CPU: OpenCV DNN's own backend. */
    public BlazeFaceFilter(final Params params)
    {
        this(params, opencv_dnn.DNN_BACKEND_OPENCV, opencv_dnn.DNN_TARGET_CPU);
    }

    /** @param backend and {@code target}: where OpenCV DNN runs the network (the GPU worker's CUDA backend). */
    public BlazeFaceFilter(final Params params, final int backend, final int target)
    {
        this.threshold = (float)params.real("score");
        this.iou = (float)params.real("iou");
        this.minFace = params.integer("min_face");
        this.spec = params.spec();
        this.net = opencv_dnn.readNetFromONNX(model());
        // With layer fusion the forward pass fails in OpenCV's pooling layer (pooling_layer.cpp:709, OpenCV 4.13);
        // unfused it runs, at no measurable cost. BlazeFaceFilterTest keeps this in sight across upgrades.
        net.enableFusion(false);
        net.setPreferableBackend(backend);
        net.setPreferableTarget(target);
        this.outputNames = net.getUnconnectedOutLayersNames();
        // The model's input is NHWC: a 4-D view over the float image's own memory, made once.
        this.blob = new Mat(4, new int[] {1, INPUT, INPUT, 3}, opencv_core.CV_32F, input.data());
    }

    /** Whether this build has the model: it is fetched from the npm registry at build time. */
    public static boolean available()
    {
        return BlazeFaceFilter.class.getResource(MODEL) != null;
    }

    /** Refuses the filter where the build has no model, naming the way out. */
    static void check(final Params params) throws FilterSpecException
    {
        if (!available())
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "faces method=dnn is unavailable: " +
                "this build has no BlazeFace model (it is fetched from the npm registry at build time, and this " +
                "build could not reach it); use method=haar, or rebuild online");
        }
    }

    private static byte[] model()
    {
        byte[] bytes = model;
        if (bytes == null)
        {
            try (InputStream in = BlazeFaceFilter.class.getResourceAsStream(MODEL))
            {
                if (in == null)
                {
                    throw new IllegalStateException("no BlazeFace model in this build: " + MODEL);
                }
                bytes = in.readAllBytes();
                model = bytes;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return bytes;
    }

    @Override
    public String spec()
    {
        return spec;
    }

    @Override
    public void apply(final Mat source, final Mat target, final FilterContext context)
    {
        final int width = source.cols();
        final int height = source.rows();
        final int longSide = Math.max(width, height);
        merged.start();
        detect(source, 0, 0, width, height, Float.MAX_VALUE);
        // A tile in which the smallest face asked for is still MIN_FACE_AT_INPUT at the network's input.
        final int tile = Math.max(INPUT, minFace * INPUT / MIN_FACE_AT_INPUT);
        if (minFace > 0 && longSide * MIN_FACE_AT_INPUT / INPUT > minFace && tile < longSide)
        {
            // Tiles overlap by two of the smallest faces, so each such face lies whole in one of them.
            final int overlap = Math.min(tile / 2, 2 * minFace);
            final int columns = tiles(width, tile, overlap);
            final int rows = tiles(height, tile, overlap);
            for (int row = 0; row < rows; row++)
            {
                for (int column = 0; column < columns; column++)
                {
                    final int x = columns == 1 ? 0 : column * (width - Math.min(width, tile)) / (columns - 1);
                    final int y = rows == 1 ? 0 : row * (height - Math.min(height, tile)) / (rows - 1);
                    // Tiles are for the faces the whole-frame pass is too coarse for: a larger box seen in a tile
                    // is part of something bigger (hair, a shoulder) far more often than a face.
                    detect(source, x, y, Math.min(width, tile), Math.min(height, tile),
                        2f * longSide * MIN_FACE_AT_INPUT / INPUT);
                }
            }
        }
        merged.suppress(iou);

        source.copyTo(target);
        final Detections detections = context.detections();
        final int thickness = Math.max(2, width / 400);
        for (int i = 0; i < merged.faceCount(); i++)
        {
            final int x = Math.max(0, Math.round(merged.faceX(i)));
            final int y = Math.max(0, Math.round(merged.faceY(i)));
            final int w = Math.min(width - x, Math.round(merged.faceWidth(i)));
            final int h = Math.min(height - y, Math.round(merged.faceHeight(i)));
            if (w <= 0 || h <= 0)
            {
                continue;
            }
            final int at = merged.keypointsAt(i);
            for (int k = 0; k < BlazeFaceDecoder.KEYPOINT_VALUES; k++)
            {
                keypoints[k] = Math.round(merged.faces()[at + k]);
            }
            detections.add(x, y, w, h, Math.round(merged.faceScore(i) * 1000), keypoints, 0);
            topLeft.x(x).y(y);
            bottomRight.x(x + w - 1).y(y + h - 1);
            opencv_imgproc.rectangle(target, topLeft, bottomRight, green, thickness, opencv_imgproc.LINE_8, 0);
        }
    }

    private static int tiles(final int length, final int tile, final int overlap)
    {
        return length <= tile ? 1 : (int)Math.ceil((double)(length - overlap) / (tile - overlap));
    }

    /** One pass over a region: its faces up to {@code maxFace} wide go to {@link #merged} in frame pixels. */
    private void detect(final Mat source, final int x, final int y, final int width, final int height,
        final float maxFace)
    {
        final double scale = (double)INPUT / Math.max(width, height);
        final int scaledWidth = Math.max(1, (int)Math.round(width * scale));
        final int scaledHeight = Math.max(1, (int)Math.round(height * scale));
        final int left = (INPUT - scaledWidth) / 2;
        final int top = (INPUT - scaledHeight) / 2;
        final boolean whole = x == 0 && y == 0 && width == source.cols() && height == source.rows();
        // The one pass of every frame reads the frame itself and writes through a view of the canvas kept while the
        // frame size stays: nothing is made per frame. Tiles (min_face) take a view of the frame each.
        try (Rect region = whole ? null : new Rect(x, y, width, height);
            Mat part = whole ? null : source.apply(region))
        {
            opencv_imgproc.resize(whole ? source : part, resized, scaled.width(scaledWidth).height(scaledHeight), 0,
                0, opencv_imgproc.INTER_AREA);
        }
        final Mat placed = placed(left, top, scaledWidth, scaledHeight);
        canvas.put(black);
        if (resized.channels() == 1)
        {
            opencv_imgproc.cvtColor(resized, placed, opencv_imgproc.COLOR_GRAY2BGR);
        }
        else
        {
            resized.copyTo(placed);
        }
        opencv_imgproc.cvtColor(canvas, rgb, opencv_imgproc.COLOR_BGR2RGB);
        rgb.convertTo(input, opencv_core.CV_32F, 1 / 127.5, -1);
        net.setInput(blob);
        net.forward(outputs, outputNames);
        pass.start();
        decodeOutputs();
        pass.suppress(iou);
        for (int i = 0; i < pass.faceCount() && merged.capacity() > 0; i++)
        {
            if (pass.faceWidth(i) * INPUT / scale > maxFace)
            {
                continue;
            }
            final int at = pass.keypointsAt(i);
            for (int k = 0; k < BlazeFaceDecoder.KEYPOINT_VALUES; k += 2)
            {
                points[k] = (float)((pass.faces()[at + k] * INPUT - left) / scale + x);
                points[k + 1] = (float)((pass.faces()[at + k + 1] * INPUT - top) / scale + y);
            }
            merged.addCandidate((float)((pass.faceX(i) * INPUT - left) / scale + x),
                (float)((pass.faceY(i) * INPUT - top) / scale + y), (float)(pass.faceWidth(i) * INPUT / scale),
                (float)(pass.faceHeight(i) * INPUT / scale), pass.faceScore(i), points, 0);
        }
    }

    /** The view of the canvas where a letterboxed region goes, made again only when the letterbox changes. */
    private Mat placed(final int left, final int top, final int width, final int height)
    {
        if (placedView == null || placedRect.x() != left || placedRect.y() != top || placedRect.width() != width ||
            placedRect.height() != height)
        {
            if (placedView != null)
            {
                placedView.close();
            }
            placedRect.x(left).y(top).width(width).height(height);
            placedView = canvas.apply(placedRect);
        }
        return placedView;
    }

    /** The four outputs, told apart by size: scores and boxes for the 16×16 anchors and for the 8×8 ones. */
    private void decodeOutputs()
    {
        Mat scores16 = null;
        Mat boxes16 = null;
        Mat scores8 = null;
        Mat boxes8 = null;
        for (long i = 0; i < outputs.size(); i++)
        {
            final Mat out = outputs.get(i);
            final long total = out.total();
            if (total == BlazeFaceDecoder.ANCHORS_16)
            {
                scores16 = out;
            }
            else if (total == BlazeFaceDecoder.ANCHORS_16 * BlazeFaceDecoder.BOX_VALUES)
            {
                boxes16 = out;
            }
            else if (total == BlazeFaceDecoder.ANCHORS_8)
            {
                scores8 = out;
            }
            else if (total == BlazeFaceDecoder.ANCHORS_8 * BlazeFaceDecoder.BOX_VALUES)
            {
                boxes8 = out;
            }
        }
        if (scores16 == null || boxes16 == null || scores8 == null || boxes8 == null)
        {
            throw new IllegalStateException("the BlazeFace model's outputs are not the ones expected");
        }
        decode(scores16, boxes16, 0, BlazeFaceDecoder.ANCHORS_16);
        decode(scores8, boxes8, BlazeFaceDecoder.ANCHORS_16, BlazeFaceDecoder.ANCHORS_8);
    }

    private void decode(final Mat scoreMat, final Mat boxMat, final int first, final int count)
    {
        scores.wrap(scoreMat.data().address(), count * Float.BYTES);
        boxes.wrap(boxMat.data().address(), count * BlazeFaceDecoder.BOX_VALUES * Float.BYTES);
        pass.decode(scores, boxes, first, count, threshold);
    }

    @Override
    public void close()
    {
        net.close();
        outputNames.close();
        outputs.close();
        resized.close();
        canvas.close();
        rgb.close();
        blob.close();
        input.close();
        scaled.close();
        placedRect.close();
        if (placedView != null)
        {
            placedView.close();
        }
        black.close();
        green.close();
        topLeft.close();
        bottomRight.close();
    }
}
