package io.framewire.gpu.filter;

import io.framewire.worker.filter.Detections;
import io.framewire.worker.filter.Params;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudaarithm;
import org.bytedeco.opencv.global.opencv_cudafilters;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Stream;
import org.bytedeco.opencv.opencv_cudafilters.Filter;

/** {@code median} on CUDA. OpenCV's CUDA median takes one channel, so a BGR frame is split, filtered and merged. */
final class CudaMedianBlurFilter implements CudaFilter
{
    private final Filter filter;
    // Arrays of three GpuMats, as cuda::split and cuda::merge take them, with a view of each element made once.
    private final GpuMat planes = new GpuMat(3);
    private final GpuMat filtered = new GpuMat(3);
    private final GpuMat[] plane = new GpuMat[3];
    private final GpuMat[] filteredPlane = new GpuMat[3];

    CudaMedianBlurFilter(final Params params)
    {
        filter = opencv_cudafilters.createMedianFilter(opencv_core.CV_8UC1, params.integer("ksize"));
        for (int i = 0; i < 3; i++)
        {
            plane[i] = planes.getPointer(i);
            filteredPlane[i] = filtered.getPointer(i);
        }
    }

    @Override
    public void apply(final GpuMat source, final GpuMat target, final GpuMat previous, final Detections detections,
        final Stream stream)
    {
        if (source.channels() == 1)
        {
            filter.apply(source, target, stream);
            return;
        }
        opencv_cudaarithm.split(source, planes, stream);
        for (int i = 0; i < 3; i++)
        {
            filter.apply(plane[i], filteredPlane[i], stream);
        }
        opencv_cudaarithm.merge(filtered, 3, target, stream);
    }

    @Override
    public void close()
    {
        filter.close();
        planes.close();
        filtered.close();
    }
}
