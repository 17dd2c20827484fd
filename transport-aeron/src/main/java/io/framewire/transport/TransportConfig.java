package io.framewire.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Transport settings: named constants read once from system properties, defaults in one place.
 */
public final class TransportConfig
{
    /** Aeron directory shared by the server's embedded driver and the workers on the same host. */
    public static final String AERON_DIR_PROP = "framewire.aeron.dir";
    public static final String AERON_DIR_DEFAULT = new File("/dev/shm").isDirectory() ?
        "/dev/shm/framewire" : new File(System.getProperty("java.io.tmpdir"), "framewire-aeron").getPath();

    /**
     * Term length of frame-carrying publications. Frames travel in parts of one fragment each, so Aeron's largest
     * message (term length / 8) does not limit the frame size; the term bounds how far the sender may run ahead
     * of a worker (the IPC window is one term): 32 MiB holds a worker's 4 credits of 1080p tasks (4 x 6.2 MB).
     * Each log buffer is 3 terms of pre-touched memory (96 MiB per worker stream), so bigger is not free.
     */
    public static final String TERM_LENGTH_PROP = "framewire.term.length";
    public static final int TERM_LENGTH = Integer.getInteger(TERM_LENGTH_PROP, 32 * 1024 * 1024);

    /** Largest MTU Aeron allows: fewer fragments per frame, so fewer poll calls and headers. */
    public static final int MTU_LENGTH = 65504;

    public static final String IPC_CHANNEL = "aeron:ipc?term-length=" + TERM_LENGTH + "|mtu=" + MTU_LENGTH;

    /** Workers send results and heartbeats to the server on this stream. */
    public static final int RESULTS_STREAM_ID = 2;

    /** Each worker picks its own task stream id above this one. */
    public static final int FIRST_TASK_STREAM_ID = 1000;

    public static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("framewire.heartbeat.interval.ms", 100));

    /** A worker silent for this long is declared dead. */
    public static final long WORKER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("framewire.worker.timeout.ms", 3000));

    /** Fragments read per poll: a 720p frame is 43 of them; small enough to keep heartbeats and dispatch on time. */
    public static final int FRAGMENT_LIMIT = 64;

    private TransportConfig()
    {
    }

    /**
     * For threads that poll Aeron on the frame path (dispatcher, workers): spin briefly, then park for at most
     * 250 µs, so a frame waits at most that long to be picked up. Parking without yielding first matters here:
     * on a 2-core host, threads that yield or wake every few µs take CPU from the decoder, encoder and filters.
     */
    public static IdleStrategy pollingIdleStrategy()
    {
        return new BackoffIdleStrategy(10, 1, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(250));
    }

    /** For threads that wait on another stage or on rare events (decoder, encoder, embedded worker): ≤ 1 ms park. */
    public static IdleStrategy stageIdleStrategy()
    {
        return new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    public static String aeronDir()
    {
        return System.getProperty(AERON_DIR_PROP, AERON_DIR_DEFAULT);
    }
}
