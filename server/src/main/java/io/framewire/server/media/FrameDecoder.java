package io.framewire.server.media;

import io.framewire.codec.ErrorCode;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.Job;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Decodes a job's video into its {@link FrameRing}: one frame per duty cycle while a slot is free. The grabber
 * converts to BGR24 and reuses its {@link Frame}, so each frame is copied once, from the grabber into its slot.
 * For pipelines that compare frames, the decoder also keeps the last frame and puts it after the current one in
 * the slot, so each task carries everything its result depends on.
 */
public final class FrameDecoder implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final Job job;
    private final FFmpegFrameGrabber grabber;
    private final FrameRing ring;
    private final int rowBytes;
    private final BytePointer lastMemory;
    private final UnsafeBuffer last;
    private final AudioTrack audio;
    private Frame pendingAudio;
    private final boolean paced;
    private final long frameIntervalNs;
    private long pacedStartNs;
    private long firstTimestampUs = -1;
    private long nextDueNs;
    private final InputCheck check;
    /** Frames decoded for a carried-on job's sake only: those before the ring's first, already in the output. */
    private long skipped;
    private long skippingSinceNs;

    /**
     * @param source opened by {@link VideoSource}, with BGR24 output; closed by its owner.
     * @param audio  receives the input's audio, or null to drop it (an input without audio).
     */
    public FrameDecoder(final Job job, final VideoSource source, final AudioTrack audio)
    {
        this(job, source, audio, false);
    }

    /**
     * @param paced decode no faster than the video plays, as a live source delivers frames (for measuring latency
     *              at a steady load); otherwise as fast as the pipeline takes frames.
     */
    public FrameDecoder(final Job job, final VideoSource source, final AudioTrack audio, final boolean paced)
    {
        this.check = new InputCheck(source, job.frameRate());
        this.paced = paced;
        this.frameIntervalNs = (long)(1e9 / job.frameRate());
        this.audio = audio;
        this.job = job;
        this.grabber = source.grabber();
        this.ring = job.ring();
        this.rowBytes = job.width() * 3;
        this.lastMemory = ring.framesPerSlot() == 2 ? new BytePointer(ring.frameBytes()) : null;
        this.last = lastMemory == null ? null : new UnsafeBuffer(lastMemory.address(), ring.frameBytes());
    }

    @Override
    public int doWork() throws Exception
    {
        if (job.failure() != null)
        {
            throw new AgentTerminationException();
        }
        if (pendingAudio != null)
        {
            if (!audio.offer(pendingAudio))
            {
                return 0;
            }
            pendingAudio = null;
        }
        if (!ring.hasFreeSlot() || (paced && System.nanoTime() < nextDueNs))
        {
            return 0;
        }
        final Frame frame;
        try
        {
            frame = grabber.grabFrame(audio != null, true, true, false);
        }
        catch (final FFmpegFrameGrabber.Exception ex)
        {
            endsBeforeTheRing();
            if (ring.decoded() == 0)
            {
                job.fail(ErrorCode.EMPTY_INPUT, "no frame of the video decodes: " + ex.getMessage());
                throw new AgentTerminationException(ex);
            }
            // A damaged or truncated input: keep what decoded, and say in the result where decoding stopped.
            job.inputErrors(check.stoppedAt(ring.decoded(), ex.getMessage()));
            ring.finishDecoding();
            throw new AgentTerminationException(ex);
        }
        if (frame == null)
        {
            endsBeforeTheRing();
            if (ring.decoded() == 0)
            {
                job.fail(ErrorCode.EMPTY_INPUT, "the input has a video stream, but not one frame of it decodes");
                throw new AgentTerminationException();
            }
            job.inputErrors(check.atEnd(ring.decoded()));
            ring.finishDecoding();
            throw new AgentTerminationException();
        }
        if (frame.image == null)
        {
            if (frame.samples != null && audio != null)
            {
                check.audioDecoded(frame.timestamp);
                final Frame copy = frame.clone();
                if (!audio.offer(copy))
                {
                    pendingAudio = copy;
                }
            }
            return 1;
        }
        if (frame.imageWidth != job.width() || frame.imageHeight != job.height())
        {
            job.fail(ErrorCode.PROCESSING_FAILED, "frame " + ring.decoded() + " is " + frame.imageWidth + "x" +
                frame.imageHeight + ", the video started at " + job.width() + "x" + job.height());
            throw new AgentTerminationException();
        }
        final long frameNumber = skipped < ring.firstFrame() ? skipped : ring.decoded();
        final UnsafeBuffer slot = ring.slot(ring.decoded()); // free: a skipped frame only passes through it
        copyInto(slot, (ByteBuffer)frame.image[0], frame.imageStride);
        if (last != null)
        {
            final int frameBytes = ring.frameBytes();
            if (frameNumber > 0)
            {
                slot.putBytes(frameBytes, last, 0, frameBytes);
            }
            last.putBytes(0, slot, 0, frameBytes);
        }
        final long nowNs = System.nanoTime();
        final long timestampUs = check.decoded(frameNumber, frame.timestamp);
        if (frameNumber == 0)
        {
            ring.firstTimestampUs(timestampUs);
        }
        if (frameNumber < ring.firstFrame())
        {
            if (skipped == 0)
            {
                skippingSinceNs = nowNs;
            }
            if (++skipped == ring.firstFrame())
            {
                LOG.info("job {}: decoded the {} frames its kept output has again in {} ms", job.id(), skipped,
                    (System.nanoTime() - skippingSinceNs) / 1_000_000);
            }
            return 1;
        }
        ring.publishDecoded(nowNs, timestampUs);
        if (paced)
        {
            if (firstTimestampUs < 0)
            {
                firstTimestampUs = timestampUs;
                pacedStartNs = nowNs;
            }
            nextDueNs = pacedStartNs + (timestampUs - firstTimestampUs) * 1000 + frameIntervalNs;
        }
        return 1;
    }

    /** A carried-on job whose input now ends before the frames its output has: it cannot go on. */
    private void endsBeforeTheRing()
    {
        if (skipped < ring.firstFrame())
        {
            job.fail(ErrorCode.INTERNAL, "the input ends at frame " + skipped + ", before the " + ring.firstFrame() +
                " frames the output kept from before has");
            throw new AgentTerminationException();
        }
    }

    private void copyInto(final UnsafeBuffer slot, final ByteBuffer image, final int stride)
    {
        if (stride == rowBytes)
        {
            slot.putBytes(0, image, 0, ring.frameBytes());
            return;
        }
        for (int row = 0, height = job.height(); row < height; row++)
        {
            slot.putBytes(row * rowBytes, image, row * stride, rowBytes);
        }
    }

    @Override
    public void onClose()
    {
        if (lastMemory != null)
        {
            lastMemory.close();
        }
        if (pendingAudio != null)
        {
            pendingAudio.close();
        }
    }

    @Override
    public String roleName()
    {
        return "frame-decoder-" + job.id();
    }
}
