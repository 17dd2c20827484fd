package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_cudawarping;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudaobjdetect.CudaCascadeClassifier;

/**
 * {@code faces} on CUDA: the same frontal-face Haar cascade (converted to the form the CUDA classifier reads, see
 * {@link CudaCascade}), the same downscale, histogram equalisation, scale step, neighbour count and minimum size;
 * boxes are reported and drawn in green on the frame on the GPU. The boxes come back to the host once per frame,
 * because the detections travel with the result.
 */
final class CudaFaceDetectionFilter implements CudaFilter
{
    private final double scale;
    private final CudaCascadeClassifier classifier;
    private final GpuMat grey = new GpuMat();
    private final GpuMat small = new GpuMat();
    private final GpuMat equalised = new GpuMat();
    private final GpuMat found = new GpuMat();
    private final RectVector faces = new RectVector();
    private final Scalar green = new Scalar(0, 255, 0, 0);
    private final Size none = new Size();
    private final Rect edge = new Rect();
    private final int[] box = new int[4];

    CudaFaceDetectionFilter(final Params params)
    {
        this.scale = params.real("scale");
        final int scaledMin = Math.max(8, (int)Math.round(params.integer("min_size") * scale));
        classifier = CudaCascadeClassifier.create(CudaCascade.path());
        classifier.setScaleFactor(1.1);
        classifier.setMinNeighbors(params.integer("neighbors"));
        try (Size minSize = new Size(scaledMin, scaledMin))
        {
            classifier.setMinObjectSize(minSize);
        }
        classifier.setFindLargestObject(false);
        classifier.setMaxNumObjects(Detections.MAX);
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        final GpuMat intensity = CudaGrayView.of(source, grey, stream);
        if (scale < 1.0)
        {
            opencv_cudawarping.resize(intensity, small, none, scale, scale, opencv_imgproc.INTER_AREA, stream);
            opencv_cudaimgproc.equalizeHist(small, equalised, stream);
        }
        else
        {
            opencv_cudaimgproc.equalizeHist(intensity, equalised, stream);
        }
        source.copyTo(target, stream);
        // The Haar classifier runs only on the default stream (OpenCV asserts it), so the queued work ends first.
        stream.waitForCompletion();
        classifier.detectMultiScale(equalised, found);
        classifier.convert(found, faces);
        final int thickness = Math.max(2, source.cols() / 400);
        final double back = 1.0 / scale;
        for (long i = 0, n = faces.size(); i < n; i++)
        {
            try (Rect face = faces.get(i))
            {
                detections.addScaled(face, back, box);
                final int x = box[0] - thickness / 2;
                final int y = box[1] - thickness / 2;
                fill(target, x, y, box[2] + thickness, thickness, stream);
                fill(target, x, y + box[3] - 1, box[2] + thickness, thickness, stream);
                fill(target, x, y, thickness, box[3] + thickness, stream);
                fill(target, x + box[2] - 1, y, thickness, box[3] + thickness, stream);
            }
        }
    }

    /** One thick edge of a box, clipped to the frame, painted on the device. */
    private void fill(final GpuMat frame, final int x, final int y, final int width, final int height,
        final Stream stream)
    {
        final int left = Math.max(0, x);
        final int top = Math.max(0, y);
        final int right = Math.min(frame.cols(), x + width);
        final int bottom = Math.min(frame.rows(), y + height);
        if (right <= left || bottom <= top)
        {
            return;
        }
        edge.x(left).y(top).width(right - left).height(bottom - top);
        try (GpuMat region = new GpuMat(frame, edge))
        {
            region.setTo(green, stream);
        }
    }

    @Override
    public void close()
    {
        classifier.close();
        grey.close();
        small.close();
        equalised.close();
        found.close();
        faces.close();
        green.close();
        none.close();
        edge.close();
    }
}
