package io.framewire.server.dispatch;

import io.aeron.Publication;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.FrameSlots;
import io.framewire.server.job.Job;
import io.framewire.transport.TaskHeader;
import io.framewire.transport.WorkerProxy;
import io.framewire.transport.WorkerRegistry;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Sends decoded frames to workers. Jobs take turns one frame at a time, so concurrent jobs share the workers
 * fairly; a frame goes to the worker with the most free credit, and waits when every worker is full. Frames
 * whose worker died, timed out or failed them are sent again first.
 */
public final class FrameDispatcher implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameDispatcher.class);
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int MAX_FRAMES_PER_CYCLE = 64;

    private final JobTable jobs;
    private final WorkerRegistry workers;
    private final long frameTimeoutNs;
    private final TaskHeader task = new TaskHeader();
    private final NanoClock clock;
    private final CachedNanoClock cachedClock;
    private long nextHousekeepingNs;
    private int roundRobin;
    // A frame whose parts are partly out: it is finished before anything else is sent.
    private WorkerProxy sendingWorker;
    private Job sendingJob;
    private long sendingFrame;
    private boolean sendingRetry;

    /**
     * @param cachedClock set from {@code clock} at the start of each duty cycle, for the other agents on the dispatch
     *                    thread (as Aeron's conductor does).
     */
    public FrameDispatcher(final JobTable jobs, final WorkerRegistry workers, final long frameTimeoutNs,
        final NanoClock clock, final CachedNanoClock cachedClock)
    {
        this.jobs = jobs;
        this.workers = workers;
        this.frameTimeoutNs = frameTimeoutNs;
        this.clock = clock;
        this.cachedClock = cachedClock;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        cachedClock.update(nowNs);
        int work = jobs.drainSubmitted() + workers.pollJoining();
        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            work += workers.expire(nowNs, this::onWorkerDeath);
            work += requeueTimedOut(nowNs);
            work += jobs.removeFinished();
        }
        return work + dispatch(nowNs);
    }

    private int dispatch(final long nowNs)
    {
        int sent = 0;
        if (sendingWorker != null)
        {
            if (!finishPartlySent(nowNs))
            {
                return 0;
            }
            sent++;
        }
        final ArrayList<Job> active = jobs.jobs();
        boolean progress = true;
        while (progress && sent < MAX_FRAMES_PER_CYCLE && !active.isEmpty())
        {
            progress = false;
            final int size = active.size();
            for (int n = 0; n < size; n++)
            {
                final Job job = active.get((roundRobin + n) % size);
                if (job.failure() != null)
                {
                    continue;
                }
                final FrameSlots slots = job.slots();
                final long frame = slots.nextFrame(nowNs);
                if (frame < 0)
                {
                    continue;
                }
                final FrameRing ring = job.ring();
                // A retry sends the same slot again (its input stays there until the frame is encoded), to another
                // worker than the one that had it whenever one is connected.
                final boolean retry = frame < slots.dispatched();
                final WorkerProxy worker = retry ? workers.pick(ring.taskBytes(frame), slots.lastWorkerOf(frame)) :
                    workers.pick(ring.taskBytes(frame));
                if (worker == null)
                {
                    return sent;
                }
                // Frame 0 has no previous frame; later frames of a comparing pipeline carry theirs.
                task.jobId(job.id())
                    .frameNumber((int)frame)
                    .attempt(retry ? slots.attempts(frame) + 1 : 1)
                    .width(job.width())
                    .height(job.height())
                    .frameCount(frame == 0 ? 1 : ring.framesPerSlot())
                    .dispatchNanos(nowNs);
                final long result = worker.offerTask(task, job.pipelineBytes(), ring.slot(frame), 0,
                    ring.taskBytes(frame));
                if (result > 0)
                {
                    onSent(job, frame, retry, worker, nowNs);
                    sent++;
                    progress = true;
                    continue;
                }
                if (worker.partlySent())
                {
                    // Parts are out: this worker gets the rest of this frame before anything else.
                    sendingWorker = worker;
                    sendingJob = job;
                    sendingFrame = frame;
                    sendingRetry = retry;
                    slots.sendingFrame(frame);
                }
                refused(worker, result);
                return sent;
            }
            roundRobin = size == 0 ? 0 : (roundRobin + 1) % size;
        }
        return sent;
    }

    /** @return true once the frame stopped part-way is sent or given up. */
    private boolean finishPartlySent(final long nowNs)
    {
        final WorkerProxy worker = sendingWorker;
        final Job job = sendingJob;
        if (!worker.partlySent() || job.failure() != null)
        {
            // Its worker died (the frame is still waiting to be sent, nothing was counted), or its job failed.
            worker.abandonTask();
            clearPartlySent();
            return true;
        }
        final long result = worker.continueTask();
        if (result > 0)
        {
            onSent(job, sendingFrame, sendingRetry, worker, nowNs);
            clearPartlySent();
            return true;
        }
        refused(worker, result);
        return false;
    }

    private void clearPartlySent()
    {
        sendingJob.slots().sendingFrame(-1);
        sendingWorker = null;
        sendingJob = null;
    }

    private static void onSent(final Job job, final long frame, final boolean retry, final WorkerProxy worker,
        final long nowNs)
    {
        if (retry)
        {
            job.slots().onRedispatch(frame, worker.workerId(), nowNs);
        }
        else
        {
            job.slots().onFirstDispatch(worker.workerId(), nowNs);
        }
    }

    private static void refused(final WorkerProxy worker, final long result)
    {
        if (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION &&
            result != Publication.NOT_CONNECTED)
        {
            // CLOSED or MAX_POSITION_EXCEEDED: this worker's stream is unusable; heartbeats decide its fate.
            LOG.warn("worker {} task stream refused a frame ({})", worker.workerId(), result);
        }
    }

    private void onWorkerDeath(final WorkerProxy worker)
    {
        final ArrayList<Job> active = jobs.jobs();
        for (int i = 0, size = active.size(); i < size; i++)
        {
            final Job job = active.get(i);
            final FrameSlots slots = job.slots();
            for (long frame = job.ring().encoded(); frame < slots.dispatched(); frame++)
            {
                if (slots.atWorker(frame) && slots.workerOf(frame) == worker.workerId())
                {
                    job.requeue(frame, "worker " + worker.workerId() + " died", cachedClock.nanoTime());
                }
            }
        }
    }

    private int requeueTimedOut(final long nowNs)
    {
        int requeued = 0;
        final ArrayList<Job> active = jobs.jobs();
        for (int i = 0, size = active.size(); i < size; i++)
        {
            final Job job = active.get(i);
            final FrameSlots slots = job.slots();
            for (long frame = job.ring().encoded(); frame < slots.dispatched(); frame++)
            {
                if (slots.atWorker(frame) && nowNs - slots.sentAtNs(frame) > frameTimeoutNs)
                {
                    job.requeue(frame, "timed out after " + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNs) +
                        " ms on worker " + slots.workerOf(frame), nowNs);
                    requeued++;
                }
            }
        }
        return requeued;
    }

    @Override
    public void onClose()
    {
        jobs.releaseAll();
    }

    @Override
    public String roleName()
    {
        return "frame-dispatcher";
    }
}
