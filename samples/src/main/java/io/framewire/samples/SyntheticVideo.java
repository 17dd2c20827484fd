package io.framewire.samples;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.ShortBuffer;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Makes test and demo videos without downloading anything: a colour gradient with fine texture, a bright square
 * moving across it and a frame counter stripe, encoded at high quality (MPEG-4 Part 2 unless another codec is
 * named; VP9 for {@code .webm}), in MP4, Matroska ({@code .mkv}), WebM ({@code .webm}) or AVI ({@code .avi}) by the
 * file's name.
 */
public final class SyntheticVideo
{
    private static final int TONE_RATE = 48_000;

    private SyntheticVideo()
    {
    }

    /** {@code SyntheticVideo OUT WIDTH HEIGHT FRAMES FPS}, for the demo. */
    public static void main(final String[] args) throws Exception
    {
        if (args.length != 5)
        {
            System.err.println("usage: SyntheticVideo OUT WIDTH HEIGHT FRAMES FPS");
            System.exit(2);
        }
        write(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
            Double.parseDouble(args[4]));
    }

    public static void write(final Path file, final int width, final int height, final int frames,
        final double frameRate) throws FrameRecorder.Exception
    {
        write(file, width, height, frames, frameRate, file.toString().endsWith(".webm") ? avcodec.AV_CODEC_ID_VP9 :
            avcodec.AV_CODEC_ID_MPEG4);
    }

    /** @param codecId an FFmpeg codec id: MPEG4, MJPEG, VP9 or H264 (libopenh264). */
    public static void write(final Path file, final int width, final int height, final int frames,
        final double frameRate, final int codecId) throws FrameRecorder.Exception
    {
        write(file, width, height, frames, frameRate, codecId, false, 0, 0);
    }

    /**
     * @param tone      add a mono 440 Hz tone as the audio track (AAC; Opus in WebM).
     * @param rotation  display rotation to record in the container, in degrees.
     * @param skipEvery leave out every n-th frame's time slot (0: none), making a variable-frame-rate video.
     */
    public static void write(final Path file, final int width, final int height, final int frames,
        final double frameRate, final int codecId, final boolean tone, final double rotation, final int skipEvery)
        throws FrameRecorder.Exception
    {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, tone ? 1 : 0);
            Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3))
        {
            avutil.av_log_set_level(avutil.AV_LOG_FATAL); // after the recorder is made: JavaCV sets its own
            final String name = file.toString();
            recorder.setFormat(name.endsWith(".avi") ? "avi" : name.endsWith(".mkv") ? "matroska" :
                name.endsWith(".webm") ? "webm" : "mp4");
            recorder.setVideoCodec(codecId);
            if (codecId == avcodec.AV_CODEC_ID_VP9)
            {
                recorder.setVideoCodecName("libvpx-vp9");
                recorder.setVideoOption("deadline", "realtime");
                recorder.setVideoOption("cpu-used", "8");
                recorder.setVideoBitrate(4_000_000);
            }
            else if (codecId == avcodec.AV_CODEC_ID_H264)
            {
                recorder.setVideoCodecName("libopenh264");
                recorder.setVideoBitrate(8_000_000);
            }
            recorder.setPixelFormat(codecId == avcodec.AV_CODEC_ID_MJPEG ? avutil.AV_PIX_FMT_YUVJ420P :
                avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(frameRate);
            recorder.setVideoQuality(2);
            if (tone)
            {
                final boolean webm = name.endsWith(".webm");
                recorder.setAudioCodec(webm ? avcodec.AV_CODEC_ID_OPUS : avcodec.AV_CODEC_ID_AAC);
                if (webm)
                {
                    recorder.setAudioCodecName("libopus");
                }
                recorder.setSampleRate(TONE_RATE);
                recorder.setAudioBitrate(96_000);
            }
            if (rotation != 0)
            {
                recorder.setDisplayRotation(rotation);
            }
            recorder.setGopSize(12);
            recorder.start();
            final ByteBuffer pixels = (ByteBuffer)frame.image[0];
            final int stride = frame.imageStride;
            final int samplesPerFrame = (int)Math.round(TONE_RATE / frameRate);
            final ShortBuffer samples = ShortBuffer.allocate(samplesPerFrame);
            long sample = 0;
            int slot = 0;
            for (int n = 0; n < frames; n++, slot++)
            {
                if (skipEvery > 0 && slot % skipEvery == skipEvery - 1)
                {
                    slot++;
                }
                paint(pixels, stride, width, height, n);
                recorder.setTimestamp(Math.round(slot * 1_000_000L / frameRate)); // long: 71 s of int overflows
                recorder.record(frame);
            }
            if (tone)
            {
                // One continuous tone as long as the video's time line.
                final long total = Math.round((double)slot / frameRate * TONE_RATE);
                while (sample < total)
                {
                    samples.clear();
                    for (int i = 0; i < samplesPerFrame && sample < total; i++, sample++)
                    {
                        samples.put((short)(8000 * Math.sin(2 * Math.PI * 440 * sample / TONE_RATE)));
                    }
                    samples.flip();
                    recorder.recordSamples(TONE_RATE, 1, samples);
                }
            }
            recorder.stop();
        }
    }

    private static void paint(final ByteBuffer pixels, final int stride, final int width, final int height,
        final int n)
    {
        final int size = Math.max(8, height / 5);
        final int squareX = (n * 7) % Math.max(1, width - size);
        final int squareY = (height - size) / 2 + (int)((height / 4.0) * Math.sin(n / 8.0));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                final int i = y * stride + x * 3;
                final boolean inSquare = x >= squareX && x < squareX + size && y >= squareY && y < squareY + size;
                final int texture = ((x / 4 + y / 4) & 1) * 24;
                if (inSquare)
                {
                    pixels.put(i, (byte)40);
                    pixels.put(i + 1, (byte)220);
                    pixels.put(i + 2, (byte)240);
                }
                else if (y < 12)
                {
                    final boolean bit = ((n >> (x * 16 / width)) & 1) == 1;
                    final byte v = (byte)(bit ? 230 : 20);
                    pixels.put(i, v);
                    pixels.put(i + 1, v);
                    pixels.put(i + 2, v);
                }
                else
                {
                    pixels.put(i, (byte)(x * 200 / width + texture));
                    pixels.put(i + 1, (byte)(y * 200 / height + texture));
                    pixels.put(i + 2, (byte)(((x + y + n * 3) & 255) * 3 / 4));
                }
            }
        }
    }
}
