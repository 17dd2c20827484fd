package io.framewire.server.media;

import io.framewire.codec.ErrorCode;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.Job;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Encodes a job's processed frames in order, straight from their {@link FrameRing} slots, and frees each slot
 * for the decoder. Finishes the file when the last frame is written.
 */
public final class FrameEncoder implements Agent
{
    private final Job job;
    private final FFmpegFrameRecorder recorder;
    private final FrameRing ring;

    /** @param recorder started by {@link VideoSink}; closed by its owner. */
    public FrameEncoder(final Job job, final FFmpegFrameRecorder recorder)
    {
        this.job = job;
        this.recorder = recorder;
        this.ring = job.ring();
    }

    @Override
    public int doWork() throws Exception
    {
        if (job.failure() != null)
        {
            throw new AgentTerminationException();
        }
        final long next = ring.encoded();
        if (next == ring.totalFrames())
        {
            throw new AgentTerminationException();
        }
        if (!ring.isCompleted(next))
        {
            return 0;
        }
        try
        {
            recorder.recordImage(job.width(), job.height(), Frame.DEPTH_UBYTE, 3, job.width() * 3,
                avutil.AV_PIX_FMT_BGR24, ring.slotByteBuffer(next));
        }
        catch (final FFmpegFrameRecorder.Exception ex)
        {
            job.fail(ErrorCode.PROCESSING_FAILED, "encoding frame " + next + " failed: " + ex.getMessage());
            throw new AgentTerminationException(ex);
        }
        job.onEncoded(next, System.nanoTime());
        ring.releaseEncoded();
        return 1;
    }

    @Override
    public String roleName()
    {
        return "frame-encoder-" + job.id();
    }
}
