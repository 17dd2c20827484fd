package io.framewire.server.preview;

import io.framewire.transport.TokenBucket;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests each client of the preview may make: decoding a frame or drawing a GIF costs the CPU the jobs run on, so
 * those are limited to {@link #HEAVY_PER_SECOND} a second per client address, everything else to
 * {@link #LIGHT_PER_SECOND}; past the limit a request gets 429. The live page itself needs a few a second.
 */
final class RequestLimits
{
    static final double HEAVY_PER_SECOND = 10;
    static final double LIGHT_PER_SECOND = 50;
    /** Clients remembered before the table starts over: a bound on its memory. */
    private static final int MAX_CLIENTS = 4096;

    private record Buckets(TokenBucket heavy, TokenBucket light)
    {
    }

    private final ConcurrentHashMap<InetAddress, Buckets> clients = new ConcurrentHashMap<>();

    /** Whether {@code client} may have {@code path} now; counts the request when it may. */
    boolean allow(final InetAddress client, final String path)
    {
        if (clients.size() > MAX_CLIENTS)
        {
            clients.clear();
        }
        final long nowNs = System.nanoTime();
        final Buckets buckets = clients.computeIfAbsent(client, address ->
            new Buckets(new TokenBucket(HEAVY_PER_SECOND, nowNs), new TokenBucket(LIGHT_PER_SECOND, nowNs)));
        final TokenBucket bucket = heavy(path) ? buckets.heavy() : buckets.light();
        synchronized (bucket)
        {
            return bucket.tryTake(nowNs);
        }
    }

    /** Frames, GIFs and thumbnails: the requests that decode or encode images. */
    static boolean heavy(final String path)
    {
        return path.contains("/frame/") || path.endsWith(".gif") || path.contains("/thumbnails/");
    }
}
