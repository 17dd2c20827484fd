package io.framewire.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.aeron.ChannelUriStringBuilder;

import java.io.File;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.net.UnknownHostException;

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

    /**
     * Socket buffers and receiver window of UDP channels: the sender may run 4 MiB ahead of the receiver (well
     * over one 720p frame) without waiting for a status message. Linux caps socket buffers at
     * {@code net.core.rmem_max}/{@code wmem_max}; raise them to 4 MiB (ops/two-hosts.sh does) or Aeron warns.
     */
    public static final int UDP_BUFFER_LENGTH = Integer.getInteger("framewire.udp.buffer", 4 * 1024 * 1024);

    public static final int UDP_WINDOW_LENGTH = Integer.getInteger("framewire.udp.window", 4 * 1024 * 1024);
    public static final int UDP_MTU_LENGTH = Integer.getInteger("framewire.udp.mtu", MTU_LENGTH);

    /** Default UDP port a server takes results and heartbeats from remote workers on. */
    public static final int DEFAULT_WORKER_PORT = 40100;

    /** Workers send results and heartbeats to the server on this stream. */
    public static final int RESULTS_STREAM_ID = 2;

    /** Each worker picks its own task stream id above this one. */
    public static final int FIRST_TASK_STREAM_ID = 1000;

    public static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("framewire.heartbeat.interval.ms", 100));

    /** A worker silent for this long is declared dead. */
    public static final long WORKER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("framewire.worker.timeout.ms", 3000));

    /** A worker's Aeron client gives its media driver this long before it is lost (and the worker rejoins). */
    public static final long WORKER_DRIVER_TIMEOUT_MS = 10_000;

    /** A worker that fails this many frames in a row is rested for {@link #REST_NS}. */
    public static final int REST_AFTER_FAILURES = 3;
    public static final long REST_NS = TimeUnit.SECONDS.toNanos(10);

    /** Fragments read per poll: a 720p frame is 43 of them; small enough to keep heartbeats and dispatch on time. */
    public static final int FRAGMENT_LIMIT = 64;

    private TransportConfig()
    {
    }

    /** Idle calls with no work in a row (at 250 µs each, about 100 ms) after which a polling thread is quiet. */
    public static final int QUIET_AFTER_IDLES = 400;
    /** How long a quiet polling thread parks: what the first frame after a quiet spell may wait, per hop. */
    public static final long QUIET_PARK_NS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * For threads that poll Aeron on the frame path (dispatcher, workers): spin briefly, then park for at most
     * 250 µs, so a frame waits at most that long to be picked up while a job runs; after about 100 ms without work,
     * park 5 ms at a time, so an idle server or worker costs next to nothing. Parking without yielding first
     * matters: on a 2-core host, threads that yield or wake every few µs take CPU from the decoder, encoder and
     * filters.
     */
    public static IdleStrategy pollingIdleStrategy()
    {
        return new QuietIdleStrategy(new BackoffIdleStrategy(10, 1, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(250)), QUIET_AFTER_IDLES, QUIET_PARK_NS);
    }

    /** For threads that wait on another stage or on rare events (decoder, encoder, embedded worker): ≤ 1 ms park. */
    public static IdleStrategy stageIdleStrategy()
    {
        return new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * A UDP channel to or from {@code endpoint} (host:port, IPv6 hosts in brackets): the largest MTU (datagrams
     * of 64 KiB, which IP fragments on smaller links; one part of a frame each), the same term length as IPC, and
     * {@link #UDP_BUFFER_LENGTH} socket buffers and receiver window.
     */
    public static String udpChannel(final String endpoint)
    {
        return new ChannelUriStringBuilder()
            .media("udp")
            .endpoint(endpoint)
            .mtu(UDP_MTU_LENGTH)
            .termLength(TERM_LENGTH)
            .socketSndbufLength(UDP_BUFFER_LENGTH)
            .socketRcvbufLength(UDP_BUFFER_LENGTH)
            .receiverWindowLength(UDP_WINDOW_LENGTH)
            .build();
    }

    /** {@code host:port} as an Aeron endpoint: IPv6 addresses go in brackets. */
    public static String endpoint(final InetAddress host, final int port)
    {
        return (host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress()) + ":" + port;
    }

    /**
     * Parses {@code HOST[:PORT]} ({@code [v6]:PORT} for IPv6) into an Aeron endpoint, resolving the host.
     *
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static String parseEndpoint(final String text, final int defaultPort)
    {
        String host = text;
        int port = defaultPort;
        final int colon = text.lastIndexOf(':');
        final boolean bracketed = text.startsWith("[");
        if (colon > 0 && (bracketed ? colon > text.indexOf(']') : text.indexOf(':') == colon))
        {
            host = text.substring(0, colon);
            try
            {
                port = Integer.parseInt(text.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("'" + text + "': the port is not a number");
            }
        }
        if (bracketed)
        {
            host = host.substring(1, host.length() - 1);
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("'" + text + "': the port must be 1 to 65535");
        }
        try
        {
            return endpoint(InetAddress.getByName(host), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("'" + text + "': unknown host " + host);
        }
    }

    public static String aeronDir()
    {
        return System.getProperty(AERON_DIR_PROP, AERON_DIR_DEFAULT);
    }
}
