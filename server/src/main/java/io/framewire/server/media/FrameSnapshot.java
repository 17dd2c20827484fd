package io.framewire.server.media;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Frame {@code n} of a job's output as JPEG, decoded from the output file itself. The output is fragmented MP4,
 * so frames are readable while the job still runs, from the moment their fragment (GOP) is written.
 */
public final class FrameSnapshot
{
    private FrameSnapshot()
    {
    }

    /**
     * @param complete whether the output is finished; while it is written, its first fragment or the one holding
     *                 frame {@code n} may not be there yet, and a file FFmpeg cannot open or seek yet is a frame not
     *                 yet there, not a failure.
     * @return the JPEG, or null when frame {@code n} is not (yet) in the file.
     */
    public static byte[] jpeg(final Path output, final int n, final boolean complete) throws Exception
    {
        if (!Files.isReadable(output))
        {
            return null;
        }
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(output.toFile());
            OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
            BytePointer jpeg = new BytePointer())
        {
            FFmpegLog.quiet();
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            final Frame frame;
            try
            {
                grabber.start();
                if (n > 0)
                {
                    grabber.setVideoFrameNumber(n);
                }
                frame = grabber.grabImage();
            }
            catch (final FrameGrabber.Exception ex)
            {
                if (complete)
                {
                    throw ex;
                }
                return null;
            }
            if (frame == null)
            {
                return null;
            }
            final Mat image = converter.convert(frame);
            if (!opencv_imgcodecs.imencode(".jpg", image, jpeg))
            {
                return null;
            }
            final byte[] bytes = new byte[(int)jpeg.limit()];
            jpeg.get(bytes);
            return bytes;
        }
    }
}
