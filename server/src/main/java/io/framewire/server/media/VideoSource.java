package io.framewire.server.media;

import io.framewire.codec.ErrorCode;
import io.framewire.server.job.JobFailedException;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.file.Path;
import java.lang.reflect.Field;

/** Opens an uploaded file for decoding to BGR24, refusing anything that has no decodable video stream. */
public final class VideoSource implements AutoCloseable
{
    /** 4K UHD: bigger frames would make a job's ring of in-flight frames (window x 25 MB) unreasonably large. */
    public static final int MAX_PIXELS = 3840 * 2160;

    private static final Logger LOG = LoggerFactory.getLogger(VideoSource.class);

    private final FFmpegFrameGrabber grabber;
    private final double frameRate;

    private VideoSource(final FFmpegFrameGrabber grabber, final double frameRate)
    {
        this.grabber = grabber;
        this.frameRate = frameRate;
    }

    public static VideoSource open(final Path file) throws JobFailedException
    {
        return open(new FFmpegFrameGrabber(file.toFile()), file.toString());
    }

    /**
     * Opens a video that is still arriving, reading it front to back without seeking. Streamable containers (MKV,
     * WebM, MPEG-TS, fragmented MP4, MP4 with its index first) open; others fail here with {@code not_video}, and
     * the caller decodes the complete file instead.
     */
    public static VideoSource open(final InputStream stream) throws JobFailedException
    {
        return open(new FFmpegFrameGrabber(stream, 0), "the upload stream");
    }

    /**
     * Opens a video that is still arriving through a reader that can seek (its {@code markSupported()},
     * {@code reset()} and {@code skip()} move anywhere in the file; reads wait for bytes not yet there).
     */
    public static VideoSource openSeekable(final InputStream stream) throws JobFailedException
    {
        // JavaCV seeks a stream only when given a maximum size; the reader itself knows the real one.
        return open(new FFmpegFrameGrabber(stream, Integer.MAX_VALUE), "the upload stream");
    }

    private static VideoSource open(final FFmpegFrameGrabber grabber, final String file) throws JobFailedException
    {
        FFmpegLog.quiet();
        grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
        try
        {
            // Not start(): that holds a JVM-wide JavaCV lock (on avcodec) for the whole open, and opening an upload
            // that is still arriving waits for the client: one slow client would stall every other job's open.
            grabber.startUnsafe();
        }
        catch (final FrameGrabber.Exception | RuntimeException ex)
        {
            closeQuietly(grabber);
            LOG.info("{} does not open as a video: {}", file, ex.getMessage());
            final String unsupported = unsupportedCodec(ex.getMessage());
            if (unsupported != null)
            {
                throw new JobFailedException(ErrorCode.UNSUPPORTED_INPUT, unsupported);
            }
            throw new JobFailedException(ErrorCode.NOT_VIDEO, "the upload is not a video FFmpeg can read");
        }
        final int width = grabber.getImageWidth();
        final int height = grabber.getImageHeight();
        if (!grabber.hasVideo() || width <= 0 || height <= 0)
        {
            closeQuietly(grabber);
            throw new JobFailedException(ErrorCode.NOT_VIDEO, "the upload has no video stream");
        }
        final String format = grabber.getFormat();
        if (format != null && (format.startsWith("image2") || format.endsWith("_pipe") || "tty".equals(format)))
        {
            closeQuietly(grabber);
            throw new JobFailedException(ErrorCode.NOT_VIDEO, "the upload is a still image or text (" + format +
                "), not a video");
        }
        if ((long)width * height > MAX_PIXELS)
        {
            closeQuietly(grabber);
            throw new JobFailedException(ErrorCode.NOT_VIDEO, "frames of " + width + "x" + height +
                " are larger than the supported 3840x2160 pixels");
        }
        final double rate = baseFrameRate(grabber);
        return new VideoSource(grabber, rate > 0 && rate < 1000 ? rate : 25.0);
    }

    /** JavaCV's words for a stream whose codec this FFmpeg build cannot decode, then the codec's id. */
    private static final String NO_DECODER = "codec not found: ";

    /** @return what cannot be decoded, from the grabber's failure, or null when it failed for another reason. */
    private static String unsupportedCodec(final String failure)
    {
        final int at = failure == null ? -1 : failure.indexOf(NO_DECODER);
        if (at < 0)
        {
            return null;
        }
        final String kind = failure.contains("audio format") ? "audio" : "video";
        String codec = "codec " + failure.substring(at + NO_DECODER.length()).trim();
        try
        {
            codec = avcodec.avcodec_get_name(Integer.parseInt(failure.substring(at + NO_DECODER.length()).trim()
                .replaceAll("\\D.*", ""))).getString();
        }
        catch (final RuntimeException ignored)
        {
            // keep the number
        }
        return "this server's FFmpeg has no decoder for the input's " + kind + " (" + codec + ")";
    }

    /**
     * The stream's base rate (r_frame_rate), the grid its timestamps lie on; for a variable-frame-rate video the
     * average rate would be off that grid and move frames. Falls back to the average rate.
     */
    private static double baseFrameRate(final FFmpegFrameGrabber grabber)
    {
        try
        {
            final var stream = grabber.getFormatContext().streams(grabber.getVideoStream());
            final var base = stream.r_frame_rate();
            if (base.num() > 0 && base.den() > 0)
            {
                return base.num() / (double)base.den();
            }
        }
        catch (final RuntimeException ignored)
        {
            // no stream information: use the grabber's rate
        }
        return grabber.getFrameRate();
    }

    public FFmpegFrameGrabber grabber()
    {
        return grabber;
    }

    public int width()
    {
        return grabber.getImageWidth();
    }

    public int height()
    {
        return grabber.getImageHeight();
    }

    public double frameRate()
    {
        return frameRate;
    }

    /** Channels of the input's audio, 0 when it has none. */
    public int audioChannels()
    {
        return grabber.hasAudio() ? grabber.getAudioChannels() : 0;
    }

    public int sampleRate()
    {
        return grabber.getSampleRate();
    }

    /** Display rotation of the input in degrees (0, 90, 180, 270 or the container's value). */
    public double rotation()
    {
        return grabber.getDisplayRotation();
    }

    /** The video stream's duration, else the container's, in microseconds; 0 when neither says. */
    public long declaredDurationUs()
    {
        final AVFormatContext context = grabber.getFormatContext();
        final AVStream stream = context.streams(grabber.getVideoStream());
        if (stream.duration() > 0 && stream.duration() != avutil.AV_NOPTS_VALUE)
        {
            return avutil.av_rescale_q(stream.duration(), stream.time_base(), avutil.av_make_q(1, 1_000_000));
        }
        return context.duration() > 0 && context.duration() != avutil.AV_NOPTS_VALUE ? context.duration() : 0;
    }

    /** Whether {@link #declaredDurationUs} is the video stream's own (not the whole container's). */
    public boolean hasStreamDuration()
    {
        final AVStream stream = grabber.getFormatContext().streams(grabber.getVideoStream());
        return stream.duration() > 0 && stream.duration() != avutil.AV_NOPTS_VALUE;
    }

    /**
     * The grabber's decoded picture (JavaCV reuses one {@link AVFrame} and does not expose it), for the decode
     * error flags FFmpeg sets on concealed frames; null if this JavaCV keeps it elsewhere.
     */
    AVFrame decodedPicture()
    {
        try
        {
            final Field field = FFmpegFrameGrabber.class.getDeclaredField("picture");
            field.setAccessible(true);
            return (AVFrame)field.get(grabber);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOG.warn("cannot see FFmpeg's decoded frames ({}); concealed errors go uncounted", ex.toString());
            return null;
        }
    }

    /** The container's frame count, -1 when it does not say (it may be an estimate). */
    public long estimatedFrames()
    {
        final int frames = grabber.getLengthInVideoFrames();
        return frames > 0 ? frames : -1;
    }

    @Override
    public void close()
    {
        closeQuietly(grabber);
    }

    private static void closeQuietly(final FFmpegFrameGrabber grabber)
    {
        try
        {
            grabber.close();
        }
        catch (final Exception ignored)
        {
            // nothing left to do with a grabber that fails to close
        }
    }
}
