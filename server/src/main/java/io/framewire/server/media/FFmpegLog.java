package io.framewire.server.media;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg prints every warning and error to stderr by default; framewire reports failures itself, with codes, and
 * reading a growing output for the preview makes FFmpeg complain of a "partial file" each time.
 */
public final class FFmpegLog
{
    private FFmpegLog()
    {
    }

    /** Call after a grabber or recorder is made: JavaCV's class set-up sets its own level. */
    public static void quiet()
    {
        avutil.av_log_set_level(avutil.AV_LOG_FATAL);
    }
}
