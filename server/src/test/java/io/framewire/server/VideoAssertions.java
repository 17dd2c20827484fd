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
    /**
     * The PSNR every blurred frame keeps through the server's H.264 at its defaults (x264, CRF 23): the lowest frame
     * of these tests' synthetic videos scores about 34.8 dB.
     */
    static final double MIN_PSNR_DB = 33.0;

    private VideoAssertions()
    {
    }

    /** Computes the expected output frame from the input frame and the one before it (null for the first). */
    interface ExpectedFrame
    {
        void compute(Mat current, Mat previous, Mat expected);
    }

    /**
     * Every output frame must match OpenCV's 7x7 Gaussian blur of the input frame at or above {@code minPsnr}.
     *
     * @return the lowest PSNR seen.
     */
    static double assertBlurredCopy(final Path input, final Path output, final int expectedFrames,
        final double minPsnr) throws Exception
    {
        try (Size kernel = new Size(7, 7))
        {
            return assertEachFrame(input, output, expectedFrames, minPsnr,
                (current, previous, expected) -> opencv_imgproc.GaussianBlur(current, expected, kernel, 0));
        }
    }

    /**
     * Every output frame must match {@code expectedFrame} of the input at or above {@code minPsnr} (after the
     * H.264 round trip), with the input's size, frame rate and frame count.
     *
     * @return the lowest PSNR seen.
     */
    static double assertEachFrame(final Path input, final Path output, final int expectedFrames,
        final double minPsnr, final ExpectedFrame expectedFrame) throws Exception
    {
        double lowest = Double.MAX_VALUE;
        try (FFmpegFrameGrabber in = grabber(input); FFmpegFrameGrabber out = grabber(output);
            OpenCVFrameConverter.ToMat inConverter = new OpenCVFrameConverter.ToMat();
            OpenCVFrameConverter.ToMat outConverter = new OpenCVFrameConverter.ToMat();
            Mat expected = new Mat(); Mat previous = new Mat())
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
                final Mat current = inConverter.convert(inFrame);
                expectedFrame.compute(current, frames == 0 ? null : previous, expected);
                final double psnr = opencv_core.PSNR(expected, outConverter.convert(outFrame));
                current.copyTo(previous);
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
