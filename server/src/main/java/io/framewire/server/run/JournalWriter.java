package io.framewire.server.run;

import io.framewire.server.job.FrameRing;
import io.framewire.server.job.Job;
import io.framewire.server.journal.FrameJournal;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * A job's journal thread: records each decoded frame in the {@link FrameJournal} and then lets the dispatcher have
 * it, so no frame is sent before it is journaled; records the output's progress every {@link #ENCODED_STEP} frames
 * and at its end.
 */
public final class JournalWriter implements Agent
{
    private final Job job;
    private final FrameRing ring;
    private final FrameJournal journal;
    private long recordedEncoded;

    /** Encoded frames between two progress records. */
    static final long ENCODED_STEP = 16;

    public JournalWriter(final Job job)
    {
        this.job = job;
        this.ring = job.ring();
        this.journal = job.journal();
    }

    @Override
    public int doWork()
    {
        if (job.failure() != null)
        {
            throw new AgentTerminationException();
        }
        final long frame = ring.journaled();
        if (frame < ring.decoded())
        {
            journal.appendFrame(frame, ring.timestampUs(frame), ring.decodedAtNs(frame), ring.taskBytes(frame));
            ring.publishJournaled();
            return 1;
        }
        final long encoded = ring.encoded();
        if (encoded >= recordedEncoded + ENCODED_STEP || encoded == ring.totalFrames() && encoded > recordedEncoded)
        {
            journal.appendEncoded(encoded);
            recordedEncoded = encoded;
            return 1;
        }
        final long total = ring.totalFrames();
        if (total >= 0 && frame >= total && recordedEncoded == total)
        {
            throw new AgentTerminationException(); // every frame is journaled, and the end of the output
        }
        return 0;
    }

    @Override
    public String roleName()
    {
        return "frame-journal-" + job.id();
    }
}
