package io.framewire.server;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks a processed video against an independent computation on its input, frame by frame. */
final class VideoAssertions
{
    private VideoAssertions()
    {
    }

    /**
     * Every output frame must match OpenCV's 7x7 Gaussian blur of the input frame at or above {@code minPsnr}.
     *
     * @return the lowest PSNR seen.
     */
    static double assertBlurredCopy(final Path input, final Path output, final int expectedFrames,
        final double minPsnr) throws Exception
    {
        double lowest = Double.MAX_VALUE;
        try (FFmpegFrameGrabber in = grabber(input); FFmpegFrameGrabber out = grabber(output);
            OpenCVFrameConverter.ToMat inConverter = new OpenCVFrameConverter.ToMat();
            OpenCVFrameConverter.ToMat outConverter = new OpenCVFrameConverter.ToMat();
            Mat expected = new Mat(); Size kernel = new Size(7, 7))
        {
            assertEquals(in.getImageWidth(), out.getImageWidth(), "width");
            assertEquals(in.getImageHeight(), out.getImageHeight(), "height");
            assertEquals(in.getFrameRate(), out.getFrameRate(), 0.01, "frame rate");
            int frames = 0;
            Frame inFrame;
            while ((inFrame = in.grabImage()) != null)
            {
                final Frame outFrame = out.grabImage();
                assertTrue(outFrame != null, "output ends at frame " + frames);
                opencv_imgproc.GaussianBlur(inConverter.convert(inFrame), expected, kernel, 0);
                final double psnr = opencv_core.PSNR(expected, outConverter.convert(outFrame));
                assertTrue(psnr >= minPsnr, "frame " + frames + " PSNR " + psnr + " dB < " + minPsnr);
                lowest = Math.min(lowest, psnr);
                frames++;
            }
            assertNull(out.grabImage(), "output has more frames than the input");
            assertEquals(expectedFrames, frames, "frame count");
        }
        return lowest;
    }

    private static FFmpegFrameGrabber grabber(final Path file) throws FFmpegFrameGrabber.Exception
    {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        final FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
        grabber.start();
        return grabber;
    }
}
