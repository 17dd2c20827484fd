package io.framewire.server.dispatch;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.framewire.codec.ErrorCode;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.FrameSlots;
import io.framewire.server.job.Job;
import io.framewire.server.journal.FrameJournal;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.FrameOutcome;
import io.framewire.transport.TaskHeader;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerRegistry;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatch thread's time rules on a manual clock: frame timeouts, retry backoff, the attempt limit and dead
 * workers. Real parts otherwise (a media driver, a worker's endpoint, the registry, dispatcher and collector);
 * the worker never answers, so every rule is driven by the clock alone.
 */
class DispatchRulesTest
{
    private static final long MS = 1_000_000L;
    private static final long FRAME_TIMEOUT_NS = 500 * MS;
    /** Beyond the dispatcher's housekeeping interval, so a step of the clock always runs it. */
    private static final long STEP_NS = 25 * MS;

    @TempDir
    Path dir;

    private long nowNs = TimeUnit.SECONDS.toNanos(1_000);
    private MediaDriver driver;
    private Aeron aeron;
    private WorkerEndpoint worker;
    private final List<WorkerEndpoint> endpoints = new ArrayList<>();
    private WorkerRegistry registry;
    private JobTable jobs;
    private FrameDispatcher dispatcher;
    private ResultCollector collector;
    private FrameRing ring;
    private FrameJournal journal;
    private Job job;

    @BeforeEach
    void start()
    {
        final String aeronDir = TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID();
        driver = EmbeddedMediaDriver.launch(aeronDir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        final CachedNanoClock cached = new CachedNanoClock();
        registry = new WorkerRegistry(aeron, 0, cached);
        jobs = new JobTable();
        dispatcher = new FrameDispatcher(jobs, registry, FRAME_TIMEOUT_NS, () -> nowNs, cached);
        final Subscription results = aeron.addSubscription(TransportConfig.IPC_CHANNEL,
            TransportConfig.RESULTS_STREAM_ID);
        collector = new ResultCollector(results, jobs, registry, cached);
        ring = new FrameRing(8, 12, 1);
        journal = new FrameJournal(dir, 1);
        job = new Job(1, "blur", "blur", 2, 2, 25, ring, journal, () -> nowNs);
        assertTrue(jobs.submit(job));
        worker = join();
    }

    /** A worker endpoint that heartbeats from now on, once the registry has it with credit. */
    private WorkerEndpoint join()
    {
        final WorkerEndpoint endpoint = new WorkerEndpoint(aeron);
        endpoints.add(endpoint);
        heartbeat();
        pumpUntil(() -> registry.get(endpoint.workerId()) != null &&
            registry.get(endpoint.workerId()).hasCredit(ring.frameBytes()), "the worker joins");
        return endpoint;
    }

    @AfterEach
    void stop()
    {
        dispatcher.onClose();
        CloseHelper.closeAll(endpoints);
        CloseHelper.closeAll(registry, aeron, driver, journal, ring);
    }

    /** The workers say they are alive, with 4 credits each, at the current manual time. */
    private void heartbeat()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (final WorkerEndpoint endpoint : endpoints)
        {
            while (endpoint.offerHeartbeat(4, 0, 0) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "the heartbeat stream never connected");
                Thread.onSpinWait();
            }
        }
    }

    /** Duty cycles, the manual clock standing still, until {@code done} holds; real time bounds the wait. */
    private void pumpUntil(final BooleanSupplier done, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            dispatcher.doWork();
            collector.doWork();
            Thread.yield();
        }
    }

    /** Moves the manual clock on by {@code ns} in steps, the worker alive throughout, running duty cycles. */
    private void advance(final long ns)
    {
        final long end = nowNs + ns;
        while (nowNs < end)
        {
            nowNs = Math.min(end, nowNs + STEP_NS);
            heartbeat();
            for (final WorkerEndpoint endpoint : endpoints)
            {
                pumpUntil(() -> registry.get(endpoint.workerId()) == null ||
                    registry.get(endpoint.workerId()).lastHeartbeatNs() == nowNs, "the heartbeat is read");
            }
            dispatcher.doWork();
        }
    }

    private void decode(final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            ring.publishDecoded(nowNs, i * 40_000L);
            ring.publishJournaled();
        }
    }

    @Test
    void aFrameNotBackInTheTimeoutIsSentAgainAfterItsBackoff()
    {
        decode(1);
        pumpUntil(() -> job.slots().dispatched() == 1, "frame 0 is sent");
        final FrameSlots slots = job.slots();
        final long sentAt = slots.sentAtNs(0);
        assertEquals(nowNs, sentAt);

        advance(FRAME_TIMEOUT_NS);
        assertTrue(slots.atWorker(0), "at the timeout exactly, the frame is still its worker's");
        advance(STEP_NS);
        assertFalse(slots.atWorker(0), "past the timeout it waits to be sent again");
        final long requeuedAt = nowNs;

        advance(FrameSlots.RETRY_BACKOFF_NS - STEP_NS);
        assertEquals(1, slots.attempts(0), "not before its backoff");
        advance(STEP_NS);
        assertEquals(2, slots.attempts(0), "sent again once the backoff is over");
        assertEquals(requeuedAt + FrameSlots.RETRY_BACKOFF_NS, slots.sentAtNs(0));
        assertEquals(1, slots.retries());
        assertNull(job.failure());
    }

    @Test
    void aFrameThatTimesOutOnEveryAttemptFailsTheJobWithACode()
    {
        decode(1);
        pumpUntil(() -> job.slots().dispatched() == 1, "frame 0 is sent");
        for (int attempt = 1; attempt <= FrameSlots.MAX_ATTEMPTS && job.failure() == null; attempt++)
        {
            advance(FRAME_TIMEOUT_NS + FrameSlots.RETRY_BACKOFF_MAX_NS + STEP_NS);
        }
        assertNotNull(job.failure(), "the job failed");
        assertEquals(ErrorCode.PROCESSING_FAILED, job.failure().code());
        assertEquals(FrameSlots.MAX_ATTEMPTS, job.slots().attempts(0));
        assertTrue(job.failure().getMessage().contains("failed after 4 attempts"), job.failure().getMessage());
    }

    @Test
    void aSilentWorkerIsDeclaredDeadAndItsFramesWaitForAnother()
    {
        decode(2);
        pumpUntil(() -> job.slots().dispatched() == 2, "both frames are sent");
        nowNs += TransportConfig.WORKER_TIMEOUT_NS; // no heartbeat meanwhile
        dispatcher.doWork();
        assertNotNull(registry.get(worker.workerId()), "silent for exactly the timeout: still alive");
        nowNs += STEP_NS;
        dispatcher.doWork();
        assertNull(registry.get(worker.workerId()), "declared dead");
        assertFalse(job.slots().atWorker(0));
        assertFalse(job.slots().atWorker(1));
        nowNs += FrameSlots.RETRY_BACKOFF_MAX_NS;
        dispatcher.doWork();
        assertEquals(1, job.slots().attempts(0), "no worker: nothing is sent");
        assertNull(job.failure(), "a dead worker costs the job nothing while frames wait");
    }

    @Test
    void aRetryGoesToAnotherWorkerWhenOneIsConnected()
    {
        final WorkerEndpoint second = join();
        decode(1);
        pumpUntil(() -> job.slots().dispatched() == 1, "frame 0 is sent");
        final int first = job.slots().workerOf(0);
        advance(FRAME_TIMEOUT_NS + FrameSlots.RETRY_BACKOFF_NS + 2 * STEP_NS);
        assertEquals(2, job.slots().attempts(0), "sent again");
        assertNotEquals(first, job.slots().workerOf(0), "to the other worker");
        assertTrue(job.slots().workerOf(0) == worker.workerId() || job.slots().workerOf(0) == second.workerId());
    }

    @Test
    void aWorkerThatFailsFramesInARowIsRestedWhileAnotherCanWork()
    {
        decode(TransportConfig.REST_AFTER_FAILURES);
        pumpUntil(() -> job.slots().dispatched() == TransportConfig.REST_AFTER_FAILURES, "the frames are sent");
        final TaskHeader head = new TaskHeader().jobId(1).attempt(1).width(2).height(2).frameCount(1);
        final FrameOutcome failed = new FrameOutcome().failed();
        for (int frame = 0; frame < TransportConfig.REST_AFTER_FAILURES; frame++)
        {
            assertTrue(worker.offerResult(head.frameNumber(frame), failed) > 0);
        }
        pumpUntil(() -> !job.slots().atWorker(TransportConfig.REST_AFTER_FAILURES - 1), "the failures are read");
        assertTrue(registry.get(worker.workerId()).rested(), "failed " + TransportConfig.REST_AFTER_FAILURES +
            " in a row");

        final WorkerEndpoint second = join();
        advance(FrameSlots.RETRY_BACKOFF_NS + STEP_NS);
        decode(1);
        advance(STEP_NS);
        for (int frame = 0; frame <= TransportConfig.REST_AFTER_FAILURES; frame++)
        {
            assertEquals(second.workerId(), job.slots().workerOf(frame), "frame " + frame + " went to the other");
        }
        advance(TransportConfig.REST_NS);
        assertFalse(registry.get(worker.workerId()).rested(), "the rest ends");
        assertNull(job.failure());
    }
}
