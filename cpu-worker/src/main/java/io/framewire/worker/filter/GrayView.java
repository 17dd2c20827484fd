package io.framewire.worker.filter;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** GrayView view of a frame for filters that work on intensity, converting into a reused Mat only when needed. */
final class GrayView
{
    private GrayView()
    {
    }

    static Mat of(final Mat source, final Mat scratch)
    {
        if (source.channels() == 1)
        {
            return source;
        }
        opencv_imgproc.cvtColor(source, scratch, opencv_imgproc.COLOR_BGR2GRAY);
        return scratch;
    }
}
