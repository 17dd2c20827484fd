package io.framewire.server.media;

import org.bytedeco.ffmpeg.global.avutil;

/** FFmpeg prints every warning to stderr by default; framewire reports failures itself. */
final class FFmpegLog
{
    private static volatile boolean quiet;

    private FFmpegLog()
    {
    }

    static void quiet()
    {
        if (!quiet)
        {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            quiet = true;
        }
    }
}
