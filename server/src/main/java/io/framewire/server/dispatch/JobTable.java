package io.framewire.server.dispatch;

import io.framewire.server.job.Job;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;

/**
 * The jobs being dispatched. Client threads {@link #submit} jobs; everything else happens on the dispatch thread,
 * which is shared by {@link FrameDispatcher} and {@link ResultCollector}.
 */
public final class JobTable
{
    private final ManyToOneConcurrentArrayQueue<Job> submitted = new ManyToOneConcurrentArrayQueue<>(1024);
    private final Long2ObjectHashMap<Job> byId = new Long2ObjectHashMap<>();
    private final ArrayList<Job> jobs = new ArrayList<>();

    /** Any thread. @return false when too many jobs wait to be picked up. */
    public boolean submit(final Job job)
    {
        return submitted.offer(job);
    }

    int drainSubmitted()
    {
        return submitted.drain(job ->
        {
            byId.put(job.id(), job);
            jobs.add(job);
        });
    }

    /** Drops finished jobs and lets their runners free them. */
    int removeFinished()
    {
        int removed = 0;
        for (int i = jobs.size() - 1; i >= 0; i--)
        {
            final Job job = jobs.get(i);
            if (job.finished())
            {
                jobs.remove(i);
                byId.remove(job.id());
                job.release();
                removed++;
            }
        }
        return removed;
    }

    Job get(final long jobId)
    {
        return byId.get(jobId);
    }

    ArrayList<Job> jobs()
    {
        return jobs;
    }

    /** Releases every job; used at shutdown. */
    void releaseAll()
    {
        drainSubmitted();
        jobs.forEach(Job::release);
        jobs.clear();
        byId.clear();
    }
}
