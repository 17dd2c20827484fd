package io.framewire.server.preview;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The preview's limits on a manual clock: per client address, and server-wide for frames made anew. */
class RequestLimitsTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RequestLimits limits = new RequestLimits(clock);

    @Test
    void eachClientHasItsOwnAllowanceOfHeavyAndLightRequests() throws Exception
    {
        final InetAddress one = InetAddress.getByName("127.0.0.2");
        final InetAddress other = InetAddress.getByName("127.0.0.3");
        assertEquals((int)RequestLimits.HEAVY_PER_SECOND, allowed(one, "/jobs/1/frame/3", 100));
        assertFalse(limits.allow(one, "/jobs/1/preview.gif"), "GIFs share the frames' allowance");
        assertTrue(limits.allow(one, "/metrics"), "light requests have their own");
        assertTrue(limits.allow(other, "/jobs/1/frame/3"), "another address is not held back");
        clock.update(TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(1, allowed(one, "/jobs/1/frame/3", 100), "a tenth of a second refills one");
        clock.update(TimeUnit.SECONDS.toNanos(60));
        assertEquals((int)RequestLimits.HEAVY_PER_SECOND, allowed(one, "/jobs/1/thumbnails/0.jpg", 100),
            "a burst of at most a second's worth, however long it waited");
    }

    @Test
    void framesMadeAnewAreLimitedForAllClientsTogether()
    {
        int made = 0;
        for (int i = 0; i < 100; i++)
        {
            made += limits.allowRender() ? 1 : 0;
        }
        assertEquals((int)RequestLimits.RENDERS_PER_SECOND, made);
        assertFalse(limits.allowRender());
        clock.update(TimeUnit.SECONDS.toNanos(1));
        assertTrue(limits.allowRender(), "a second later, one more");
    }

    private int allowed(final InetAddress client, final String path, final int tries)
    {
        int allowed = 0;
        for (int i = 0; i < tries; i++)
        {
            allowed += limits.allow(client, path) ? 1 : 0;
        }
        return allowed;
    }
}
