package io.framewire.server.run;

import io.framewire.server.journal.FrameJournal;
import io.framewire.server.media.OutputFormat;
import io.framewire.samples.SyntheticVideo;
import io.framewire.server.media.VideoSink;
import io.framewire.server.media.VideoSource;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacv.Frame;
import org.bytedeco.ffmpeg.global.avutil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;

/**
 * Runs once, at server start, the one-off work a job would otherwise pay on its first frame: loading FFmpeg's native
 * libraries and opening its demuxer, decoder and the output encoder (and the NVENC probe), and Chronicle Queue's
 * start-up, on a tiny generated video. Measured, the first job of a cold server took 1.4–1.9 s to its first frame,
 * later jobs ~0.2 s (docs/perf.md). Failures here are only logged: the job that meets them reports them.
 */
public final class JobWarmUp
{
    private static final Logger LOG = LoggerFactory.getLogger(JobWarmUp.class);
    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;

    private JobWarmUp()
    {
    }

    /**
     * @param dataDir where a scratch video and journal live for a moment.
     * @return whether every part ran.
     */
    public static boolean run(final Path dataDir, final String codec)
    {
        final long startNs = System.nanoTime();
        final Path video = dataDir.resolve("warm-up.mp4");
        try
        {
            SyntheticVideo.write(video, WIDTH, HEIGHT, 4, 25);
            try (VideoSource source = VideoSource.open(video);
                VideoSink sink = VideoSink.open(OutputStream.nullOutputStream(), WIDTH, HEIGHT, 25,
                    new OutputFormat(codec, "mp4", 0));
                FrameJournal journal = new FrameJournal(dataDir, 0))
            {
                final ByteBuffer pixels = ByteBuffer.allocateDirect(WIDTH * HEIGHT * 3);
                final UnsafeBuffer slot = new UnsafeBuffer(pixels);
                Frame frame;
                long n = 0;
                while ((frame = source.grabber().grabImage()) != null)
                {
                    journal.appendFrame(n, frame.timestamp, System.nanoTime(), slot.capacity());
                    journal.appendEncoded(n);
                    sink.recorder().recordImage(WIDTH, HEIGHT, Frame.DEPTH_UBYTE, 3, WIDTH * 3,
                        avutil.AV_PIX_FMT_BGR24, pixels);
                    n++;
                }
                sink.finish();
            }
            LOG.info("warmed up for jobs in {} ms", (System.nanoTime() - startNs) / 1_000_000);
            return true;
        }
        catch (final Exception | LinkageError ex)
        {
            LOG.warn("warm-up failed ({}); the first job will pay its start-up costs", ex.toString());
            return false;
        }
        finally
        {
            try
            {
                Files.deleteIfExists(video);
            }
            catch (final IOException ignored)
            {
                // a scratch file left in the data directory: harmless
            }
        }
    }
}
