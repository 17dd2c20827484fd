package io.framewire.server.media;

import io.framewire.codec.ErrorCode;
import io.framewire.server.job.JobFailedException;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;

import java.io.OutputStream;

/**
 * Opens the output: H.264 (x264, or NVENC where it works, or libopenh264 in the LGPL build) or VP9, in MP4
 * (fragmented at each key frame, every 2 s), WebM or MKV; the input's size and frame rate, YUV 4:2:0 so every player
 * can show it.
 */
public final class VideoSink implements AutoCloseable
{
    private final FFmpegFrameRecorder recorder;
    private boolean stopped;

    private VideoSink(final FFmpegFrameRecorder recorder)
    {
        this.recorder = recorder;
    }

    /** @param out receives the file as it is written, front to back (the muxer never seeks back). */
    /**
     * @param source the input, whose audio (re-encoded: AAC in MP4, Opus in WebM) and display rotation the output
     *               keeps.
     */
    public static VideoSink open(final OutputStream out, final int width, final int height, final double frameRate,
        final OutputFormat format, final VideoSource source) throws JobFailedException
    {
        return open(out, width, height, frameRate, format, source.audioChannels(), source.sampleRate(),
            source.rotation());
    }

    /** Video only: for benchmarks of the encoders. */
    public static VideoSink open(final OutputStream out, final int width, final int height, final double frameRate,
        final OutputFormat format) throws JobFailedException
    {
        return open(out, width, height, frameRate, format, 0, 0, 0);
    }

    private static VideoSink open(final OutputStream out, final int width, final int height, final double frameRate,
        final OutputFormat format, final int audioChannels, final int sampleRate, final double rotation)
        throws JobFailedException
    {
        final FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, width, height, audioChannels);
        if (audioChannels > 0)
        {
            if ("opus".equals(format.audioCodec()))
            {
                recorder.setAudioCodecName("libopus");
                recorder.setAudioCodec(avcodec.AV_CODEC_ID_OPUS);
                recorder.setSampleRate(48_000); // Opus runs at 48 kHz; other rates are resampled
                recorder.setAudioBitrate(96_000);
            }
            else
            {
                recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
                recorder.setSampleRate(sampleRate);
                recorder.setAudioBitrate(128_000);
            }
        }
        if (rotation != 0)
        {
            recorder.setDisplayRotation(rotation);
        }
        FFmpegLog.quiet();
        recorder.setFormat(format.muxer());
        recorder.setVideoCodec(format.codecId());
        recorder.setVideoCodecName(format.encoderName());
        if ("vp9".equals(format.codec()))
        {
            // Real-time settings: libvpx's defaults (good quality, one thread) run at a few fps.
            recorder.setVideoOption("deadline", "realtime");
            recorder.setVideoOption("cpu-used", "8");
            recorder.setVideoOption("row-mt", "1");
            recorder.setVideoOption("threads", "2");
        }
        if ("libx264".equals(format.encoderName()))
        {
            recorder.setVideoOption("preset", format.encoder().preset());
            // Fixed, not the host's cores: x264's output depends on its thread count, and must not on the machine.
            recorder.setVideoOption("threads", "2");
            // No B-frames: with them the first frame is shown two frames late in a fragmented MP4 (it has no edit
            // list to undo the reordering delay), out of step with the audio and with the input's timestamps.
            recorder.setVideoOption("bf", "0");
            if (format.encoder().zeroLatency())
            {
                recorder.setVideoOption("tune", "zerolatency");
            }
            if (format.constantQuality())
            {
                recorder.setVideoOption("crf", Integer.toString(format.encoder().crf()));
            }
        }
        if ("libopenh264".equals(format.encoderName()))
        {
            // libopenh264 encodes slices in parallel: 4 slices on 2 threads take a 720p frame from 27 to 16 ms
            // (docs/perf.md). Fixed counts, not the host's cores, so the output is the same on every machine.
            recorder.setVideoOption("slices", "4");
            recorder.setVideoOption("threads", "2");
        }
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(frameRate);
        recorder.setGopSize((int)Math.max(1, Math.round(frameRate * 2)));
        recorder.setVideoBitrate(format.bitrateKbps() > 0 ? (int)(format.bitrateKbps() * 1000) :
            bitrate(width, height, frameRate));
        if ("mp4".equals(format.container()))
        {
            // Fragmented MP4: every GOP is readable as soon as it is written, so the output can be sent and
            // previewed while it grows, and a crash leaves a playable prefix. WebM is written front to back anyway.
            recorder.setOption("movflags", "frag_keyframe+empty_moov+default_base_moof");
            // Keep every video timestamp as the input had it; by default the muxer shifts video by the audio
            // encoder's priming delay (21 ms for AAC), which a fragmented MP4 cannot undo with an edit list.
            recorder.setOption("avoid_negative_ts", "disabled");
        }
        try
        {
            recorder.start();
        }
        catch (final FFmpegFrameRecorder.Exception ex)
        {
            throw new JobFailedException(ErrorCode.INTERNAL, "cannot start the " + format.encoderName() + " encoder: " +
                ex.getMessage(), ex);
        }
        return new VideoSink(recorder);
    }

    /** A side of the output: YUV 4:2:0 needs even sides, so an odd one gains a repeated last row or column. */
    public static int even(final int side)
    {
        return side + (side & 1);
    }

    /**
     * 0.2 bits per pixel: transparent quality for filtered video, about 5.5 Mbit/s at 720p30; at least 1 Mbit/s,
     * which small videos need to keep their detail.
     */
    public static int bitrate(final int width, final int height, final double frameRate)
    {
        return (int)Math.min(Integer.MAX_VALUE, Math.max(1_000_000,
            Math.round(width * (double)height * frameRate * 0.2)));
    }

    public FFmpegFrameRecorder recorder()
    {
        return recorder;
    }

    /** Writes the trailer; the file is complete only after this. */
    public void finish() throws JobFailedException
    {
        try
        {
            recorder.stop();
            stopped = true;
        }
        catch (final FFmpegFrameRecorder.Exception ex)
        {
            throw new JobFailedException(ErrorCode.INTERNAL, "cannot finish the output: " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            if (!stopped)
            {
                recorder.stop();
            }
            recorder.release();
        }
        catch (final Exception ignored)
        {
            // closing after a failure: the partial output is deleted by the job's owner
        }
    }
}
