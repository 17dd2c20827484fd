package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudaarithm;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudaoptflow.FarnebackOpticalFlow;

import static io.framewire.worker.filter.OpticalFlowFilter.FARNEBACK_ITERATIONS;
import static io.framewire.worker.filter.OpticalFlowFilter.FARNEBACK_LEVELS;
import static io.framewire.worker.filter.OpticalFlowFilter.FARNEBACK_POLY_N;
import static io.framewire.worker.filter.OpticalFlowFilter.FARNEBACK_POLY_SIGMA;
import static io.framewire.worker.filter.OpticalFlowFilter.FARNEBACK_PYRAMID_SCALE;
import static io.framewire.worker.filter.OpticalFlowFilter.FARNEBACK_WINDOW;
import static io.framewire.worker.filter.OpticalFlowFilter.HUE_PER_DEGREE;
import static io.framewire.worker.filter.OpticalFlowFilter.SATURATION;

/**
 * {@code flow:algorithm=1} on CUDA: Farneback with the CPU twin's parameters, drawn into the same colour field (hue the
 * direction, brightness the speed). CUDA has no DIS, so {@code algorithm=0} runs on the CPU even in the GPU worker.
 */
final class CudaOpticalFlowFilter implements CudaFilter
{
    private final double gain;
    private final FarnebackOpticalFlow farneback = FarnebackOpticalFlow.create(FARNEBACK_LEVELS,
        FARNEBACK_PYRAMID_SCALE, false, FARNEBACK_WINDOW, FARNEBACK_ITERATIONS, FARNEBACK_POLY_N, FARNEBACK_POLY_SIGMA,
        0);
    private final GpuMat grey = new GpuMat();
    private final GpuMat previousGrey = new GpuMat();
    private final GpuMat flow = new GpuMat();
    private final GpuMat components = new GpuMat(2);
    private final GpuMat flowX = components.getPointer(0);
    private final GpuMat flowY = components.getPointer(1);
    private final GpuMat magnitude = new GpuMat();
    private final GpuMat angle = new GpuMat();
    private final GpuMat hsvPlanes = new GpuMat(3);
    private final GpuMat hue = hsvPlanes.getPointer(0);
    private final GpuMat saturation = hsvPlanes.getPointer(1);
    private final GpuMat value = hsvPlanes.getPointer(2);
    private final GpuMat hsv = new GpuMat();
    private final Scalar black = Scalar.all(0);
    private final Scalar full = Scalar.all(SATURATION);

    CudaOpticalFlowFilter(final Params params)
    {
        this.gain = params.real("gain");
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        if (previous == null)
        {
            target.create(source.rows(), source.cols(), opencv_core.CV_8UC3);
            target.setTo(black, stream);
            return;
        }
        farneback.calc(CudaGrayView.of(previous, previousGrey, stream), CudaGrayView.of(source, grey, stream), flow,
            stream);
        opencv_cudaarithm.split(flow, components, stream);
        opencv_cudaarithm.cartToPolar(flowX, flowY, magnitude, angle, true, stream);
        angle.convertTo(hue, opencv_core.CV_8U, HUE_PER_DEGREE, 0, stream);
        magnitude.convertTo(value, opencv_core.CV_8U, gain, 0, stream);
        if (saturation.rows() != source.rows() || saturation.cols() != source.cols())
        {
            saturation.create(source.rows(), source.cols(), opencv_core.CV_8UC1);
            saturation.setTo(full, stream);
        }
        opencv_cudaarithm.merge(hsvPlanes, 3, hsv, stream);
        opencv_cudaimgproc.cvtColor(hsv, target, opencv_imgproc.COLOR_HSV2BGR, 0, stream);
    }

    @Override
    public void close()
    {
        farneback.close();
        grey.close();
        previousGrey.close();
        flow.close();
        components.close();
        magnitude.close();
        angle.close();
        hsvPlanes.close();
        hsv.close();
        black.close();
        full.close();
    }
}
