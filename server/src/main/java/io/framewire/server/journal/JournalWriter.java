package io.framewire.server.journal;

import io.framewire.server.job.FrameRing;
import io.framewire.server.job.Job;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * A job's journal thread: appends each decoded frame's task to the {@link FrameJournal} and then lets the
 * dispatcher have it, so no frame is sent before it is journaled. Between frames it gets the journal ready for
 * the next ones (pages touched, segments opened and deleted), which keeps page faults out of the appends.
 */
public final class JournalWriter implements Agent
{
    private final Job job;
    private final FrameRing ring;
    private final FrameJournal journal;

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
            ring.journalIndex(frame, journal.append(frame, ring.slot(frame).addressOffset(), ring.taskBytes(frame)));
            ring.publishJournaled();
            return 1;
        }
        final long total = ring.totalFrames();
        if (total >= 0 && frame >= total)
        {
            throw new AgentTerminationException(); // every frame is journaled
        }
        return journal.prepare(frame, ring.encoded());
    }

    @Override
    public String roleName()
    {
        return "frame-journal-" + job.id();
    }
}
