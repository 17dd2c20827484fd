package io.framewire.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The workers the server knows, learnt from their heartbeats. A worker's first heartbeat opens a publication to
 * its task stream; a worker silent for {@link TransportConfig#WORKER_TIMEOUT_NS} is dropped. Work goes to the
 * external worker with the most free credit; the server's embedded worker only gets work when no external one
 * is alive. Used only from the server's dispatch thread.
 */
public final class WorkerRegistry implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);
    private static final long STATUS_INTERVAL_NS = 250_000_000L;

    /** No worker to avoid. */
    public static final int NO_WORKER = -1;

    private final Aeron aeron;
    private final long serverProcessId = ProcessHandle.current().pid();
    private final Int2ObjectHashMap<WorkerProxy> byId = new Int2ObjectHashMap<>();
    private final ArrayList<WorkerProxy> workers = new ArrayList<>();
    private final Int2ObjectHashMap<Joining> joining = new Int2ObjectHashMap<>();
    private volatile List<WorkerStatus> statuses = List.of();
    private long nextStatusNs;

    private final double rateLimit;
    private final NanoClock clock;
    private final EpochClock epochClock = SystemEpochClock.INSTANCE;
    private final IntHashSet refused = new IntHashSet();

    /**
     * @param rateLimit most frames per second sent to one worker; 0 for no limit.
     * @param clock     the dispatch thread's clock, for each worker's rate limit.
     */
    public WorkerRegistry(final Aeron aeron, final double rateLimit, final NanoClock clock)
    {
        this.aeron = aeron;
        this.rateLimit = rateLimit;
        this.clock = clock;
    }

    public void onHeartbeat(final WorkerHeartbeatDecoder heartbeat, final long nowNs)
    {
        onHeartbeat(heartbeat, nowNs, null);
    }

    /**
     * A heartbeat from a stream where workers must prove {@code secret} (null: none needed); one that does not is
     * ignored, and said once per worker id.
     */
    public void onHeartbeat(final WorkerHeartbeatDecoder heartbeat, final long nowNs, final WorkerSecret secret)
    {
        final int workerId = heartbeat.workerId();
        String checkedEndpoint = null;
        if (secret != null)
        {
            checkedEndpoint = heartbeat.taskEndpoint();
            if (!secret.verify(heartbeat, checkedEndpoint, epochClock.time()))
            {
                if (refused.add(workerId))
                {
                    LOG.warn("ignoring worker {} (pid {}, tasks at {}): its heartbeat does not prove the worker " +
                        "secret (a wrong or missing --worker-secret-file, or a clock {} s off)", workerId,
                        heartbeat.processId(), checkedEndpoint, WorkerSecret.MAX_AGE_MS / 1000);
                }
                return;
            }
        }
        final WorkerProxy worker = byId.get(workerId);
        if (worker != null)
        {
            worker.onHeartbeat(heartbeat.credits(), heartbeat.framesDone(), heartbeat.cpuNanos(), nowNs);
            return;
        }
        Joining joiner = joining.get(workerId);
        if (joiner == null)
        {
            // The driver may take a while to make the log buffer; the dispatch thread must not wait for it, so the
            // task stream is asked for here and picked up by pollJoining once the driver has made it.
            final String taskEndpoint = checkedEndpoint != null ? checkedEndpoint : heartbeat.taskEndpoint();
            final long processId = heartbeat.processId();
            joiner = new Joining(workerId, aeron.asyncAddExclusivePublication(taskEndpoint.isEmpty() ?
                TransportConfig.IPC_CHANNEL : TransportConfig.udpChannel(taskEndpoint), heartbeat.taskStreamId()),
                heartbeat.taskStreamId(), processId, processId == serverProcessId && taskEndpoint.isEmpty(),
                heartbeat.frameEncoding());
            joining.put(workerId, joiner);
        }
        joiner.credits = heartbeat.credits();
        joiner.framesDone = heartbeat.framesDone();
        joiner.cpuNanos = heartbeat.cpuNanos();
        joiner.lastHeartbeatNs = nowNs;
        pollJoining();
    }

    /**
     * Dispatch thread, every duty cycle: registers the workers whose task stream the driver has made since, so a
     * worker takes tasks as soon as its stream is connected (which is when the worker says it is ready).
     *
     * @return workers registered.
     */
    public int pollJoining()
    {
        if (joining.isEmpty())
        {
            return 0;
        }
        int joined = 0;
        final var iterator = joining.values().iterator();
        while (iterator.hasNext())
        {
            final Joining joiner = iterator.next();
            final int workerId = joiner.workerId;
            final ExclusivePublication publication;
            try
            {
                publication = aeron.getExclusivePublication(joiner.registrationId);
            }
            catch (final RuntimeException ex)
            {
                iterator.remove();
                LOG.warn("worker {}: its task stream could not be opened: {}", workerId, ex.toString());
                continue;
            }
            if (publication == null)
            {
                continue;
            }
            iterator.remove();
            final WorkerProxy worker = new WorkerProxy(workerId, joiner.processId, joiner.embedded, publication,
                rateLimit, joiner.frameEncoding, clock);
            worker.onHeartbeat(joiner.credits, joiner.framesDone, joiner.cpuNanos, joiner.lastHeartbeatNs);
            byId.put(workerId, worker);
            workers.add(worker);
            joined++;
            LOG.info("worker {} joined (pid {}, task stream {} {}, {} credits, frames {}{})", workerId,
                joiner.processId, joiner.taskStreamId, publication.channel(), joiner.credits, joiner.frameEncoding,
                joiner.embedded ? ", embedded" : "");
        }
        return joined;
    }

    /** A worker whose task stream the driver is still making: what its heartbeats said so far. */
    private static final class Joining
    {
        final int workerId;
        final long registrationId;
        final int taskStreamId;
        final long processId;
        final boolean embedded;
        final FrameEncoding frameEncoding;
        int credits;
        long framesDone;
        long cpuNanos;
        long lastHeartbeatNs;

        Joining(final int workerId, final long registrationId, final int taskStreamId, final long processId,
            final boolean embedded, final FrameEncoding frameEncoding)
        {
            this.workerId = workerId;
            this.registrationId = registrationId;
            this.taskStreamId = taskStreamId;
            this.processId = processId;
            this.embedded = embedded;
            this.frameEncoding = frameEncoding;
        }
    }

    /**
     * The worker for a new frame: the external worker with the most free credit; the embedded worker only while no
     * external one can work; a rested worker only while every worker is resting.
     *
     * @param taskBytes pixel bytes of the task to send.
     * @return the worker, or null when every one that may take it is out of credit.
     */
    public WorkerProxy pick(final int taskBytes)
    {
        return pick(taskBytes, NO_WORKER);
    }

    /**
     * The worker for a frame sent again: as {@link #pick(int)}, but never {@code avoidWorkerId} (the worker that had
     * it last) while another worker is connected; the frame waits for that one's credit.
     */
    public WorkerProxy pick(final int taskBytes, final int avoidWorkerId)
    {
        boolean othersConnected = false;
        boolean externalAvailable = false;
        boolean anyAwake = false;
        for (int i = 0, size = workers.size(); i < size; i++)
        {
            final WorkerProxy worker = workers.get(i);
            if (worker.workerId() == avoidWorkerId)
            {
                continue;
            }
            othersConnected = true;
            final boolean awake = !worker.rested();
            anyAwake |= awake;
            externalAvailable |= awake && !worker.embedded();
        }
        final int avoid = othersConnected ? avoidWorkerId : NO_WORKER;
        WorkerProxy best = null;
        for (int i = 0, size = workers.size(); i < size; i++)
        {
            final WorkerProxy worker = workers.get(i);
            if (worker.workerId() == avoid || (worker.embedded() && externalAvailable) ||
                (anyAwake && worker.rested()) ||
                !worker.hasCredit(taskBytes))
            {
                continue;
            }
            if (best == null || worker.credits() - worker.inFlight() > best.credits() - best.inFlight())
            {
                best = worker;
            }
        }
        return best;
    }

    public WorkerProxy get(final int workerId)
    {
        return byId.get(workerId);
    }

    /** Drops workers whose heartbeats stopped, telling {@code onDeath} about each. */
    public int expire(final long nowNs, final Consumer<WorkerProxy> onDeath)
    {
        if (nowNs >= nextStatusNs)
        {
            nextStatusNs = nowNs + STATUS_INTERVAL_NS;
            publishStatuses(nowNs);
        }
        int expired = 0;
        for (int i = workers.size() - 1; i >= 0; i--)
        {
            final WorkerProxy worker = workers.get(i);
            if (nowNs - worker.lastHeartbeatNs() > TransportConfig.WORKER_TIMEOUT_NS)
            {
                workers.remove(i);
                byId.remove(worker.workerId());
                worker.close();
                LOG.warn("worker {} (pid {}) declared dead: no heartbeat for {} ms", worker.workerId(),
                    worker.processId(), (nowNs - worker.lastHeartbeatNs()) / 1_000_000);
                onDeath.accept(worker);
                expired++;
            }
        }
        return expired;
    }

    private void publishStatuses(final long nowNs)
    {
        final List<WorkerStatus> list = new ArrayList<>(workers.size());
        for (final WorkerProxy w : workers)
        {
            list.add(new WorkerStatus(w.workerId(), w.processId(), w.embedded(), w.credits(), w.inFlight(),
                w.framesDone(), w.cpuNanos(), (nowNs - w.lastHeartbeatNs()) / 1_000_000));
        }
        statuses = List.copyOf(list);
    }

    /** Any thread: the workers as of at most {@link #STATUS_INTERVAL_NS} ago. */
    public List<WorkerStatus> statuses()
    {
        return statuses;
    }

    /** The live workers; the list is the registry's own, read it on the dispatch thread only. */
    public List<WorkerProxy> workers()
    {
        return workers;
    }

    @Override
    public void close()
    {
        workers.forEach(WorkerProxy::close);
        workers.clear();
        byId.clear();
    }
}
