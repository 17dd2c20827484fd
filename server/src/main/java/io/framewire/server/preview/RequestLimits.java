package io.framewire.server.preview;

import io.framewire.transport.TokenBucket;
import org.agrona.concurrent.NanoClock;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests the preview answers: decoding a frame or drawing a GIF costs the CPU the jobs run on, so those are
 * limited to {@link #HEAVY_PER_SECOND} a second per client address, everything else to {@link #LIGHT_PER_SECOND};
 * and since clients can come from many addresses, frames not made before are made at most
 * {@link #RENDERS_PER_SECOND} a second for all of them together. Past a limit a request gets 429. The live page
 * itself needs a few a second.
 */
final class RequestLimits
{
    static final double HEAVY_PER_SECOND = 10;
    static final double LIGHT_PER_SECOND = 50;
    static final double RENDERS_PER_SECOND = 1;
    /** Clients remembered before the table starts over: a bound on its memory. */
    private static final int MAX_CLIENTS = 4096;

    private record Buckets(TokenBucket heavy, TokenBucket light)
    {
    }

    private final NanoClock clock;
    private final ConcurrentHashMap<InetAddress, Buckets> clients = new ConcurrentHashMap<>();
    private final TokenBucket renders;

    RequestLimits(final NanoClock clock)
    {
        this.clock = clock;
        renders = new TokenBucket(RENDERS_PER_SECOND, clock.nanoTime());
    }

    /** Whether {@code client} may have {@code path} now; counts the request when it may. */
    boolean allow(final InetAddress client, final String path)
    {
        if (clients.size() > MAX_CLIENTS)
        {
            clients.clear();
        }
        final long nowNs = clock.nanoTime();
        final Buckets buckets = clients.computeIfAbsent(client, address ->
            new Buckets(new TokenBucket(HEAVY_PER_SECOND, nowNs), new TokenBucket(LIGHT_PER_SECOND, nowNs)));
        final TokenBucket bucket = heavy(path) ? buckets.heavy() : buckets.light();
        synchronized (bucket)
        {
            return bucket.tryTake(nowNs);
        }
    }

    /** Whether a frame not made before may be made now, whoever asks; counts it when it may. */
    boolean allowRender()
    {
        synchronized (renders)
        {
            return renders.tryTake(clock.nanoTime());
        }
    }

    /** Frames, GIFs and thumbnails: the requests that decode or encode images. */
    static boolean heavy(final String path)
    {
        return path.contains("/frame/") || path.endsWith(".gif") || path.contains("/thumbnails/");
    }
}
