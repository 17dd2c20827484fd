package io.framewire.server.preview;

import io.framewire.transport.TokenBucket;
import org.agrona.concurrent.NanoClock;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests the preview answers: decoding a frame or drawing a GIF costs the CPU the jobs run on, so those are
 * limited to {@link #HEAVY_PER_SECOND} a second per client address, everything else to {@link #LIGHT_PER_SECOND};
 * and since clients can come from many addresses, frames not made before (decoded from the output, up to a 2 s
 * group each) take at most {@link #RENDER_SHARE} of one core's time for all of them together, measured. Past a
 * limit a request gets 429. Likewise what the preview sends, GIFs of megabytes above all (the kernel's work for
 * each byte is the server's CPU too), is at most {@link #BYTES_PER_SECOND} for all clients together. The live page
 * itself needs a few requests a second, and a frame every 2 s.
 */
final class RequestLimits
{
    static final double HEAVY_PER_SECOND = 10;
    static final double LIGHT_PER_SECOND = 50;
    /** Of one core's time, what making frames may take. */
    static final double RENDER_SHARE = 0.1;
    /** The most render time saved up: a burst of one long render, or a few short ones. */
    static final long RENDER_BURST_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Clients remembered before the table starts over: a bound on its memory. */
    private static final int MAX_CLIENTS = 4096;

    private record Buckets(TokenBucket heavy, TokenBucket light)
    {
    }

    private final NanoClock clock;
    private final ConcurrentHashMap<InetAddress, Buckets> clients = new ConcurrentHashMap<>();
    /** What the preview may send a second, all clients together; a second's worth may go at once. */
    static final long BYTES_PER_SECOND = 16L << 20;
    private long renderBudgetNs = RENDER_BURST_NS;
    private long byteBudget = BYTES_PER_SECOND;
    private long bytesRefilledNs;
    private long renderRefilledNs;

    RequestLimits(final NanoClock clock)
    {
        this.clock = clock;
        renderRefilledNs = clock.nanoTime();
        bytesRefilledNs = renderRefilledNs;
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

    /** Whether a frame not made before may be made now, whoever asks: some of the render time is left. */
    synchronized boolean allowRender()
    {
        refillRenderTime();
        return renderBudgetNs > 0;
    }

    /** A frame was made in {@code tookNs}: it comes off the render time. */
    synchronized void rendered(final long tookNs)
    {
        refillRenderTime();
        renderBudgetNs -= tookNs;
    }

    /** Whether an answer of {@code bytes} may go now; counts it when it may. */
    synchronized boolean allowBytes(final long bytes)
    {
        final long nowNs = clock.nanoTime();
        byteBudget = Math.min(BYTES_PER_SECOND, byteBudget + (long)((nowNs - bytesRefilledNs) / 1e9 *
            BYTES_PER_SECOND));
        bytesRefilledNs = nowNs;
        if (byteBudget < bytes)
        {
            return false;
        }
        byteBudget -= bytes;
        return true;
    }

    private void refillRenderTime()
    {
        final long nowNs = clock.nanoTime();
        renderBudgetNs = Math.min(RENDER_BURST_NS, renderBudgetNs + (long)((nowNs - renderRefilledNs) * RENDER_SHARE));
        renderRefilledNs = nowNs;
    }

    /** Frames, GIFs and thumbnails: the requests that decode or encode images. */
    static boolean heavy(final String path)
    {
        return path.contains("/frame/") || path.endsWith(".gif") || path.contains("/thumbnails/");
    }
}
