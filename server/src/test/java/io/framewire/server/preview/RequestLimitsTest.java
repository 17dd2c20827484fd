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
    void framesMadeAnewTakeATenthOfACoreForAllClientsTogether()
    {
        assertTrue(limits.allowRender());
        limits.rendered(TimeUnit.MILLISECONDS.toNanos(700)); // a long one: past what was saved up
        assertFalse(limits.allowRender(), "in debt");
        clock.update(TimeUnit.MILLISECONDS.toNanos(1_999));
        assertFalse(limits.allowRender(), "200 ms of debt is paid back by 2 s at a tenth");
        clock.update(TimeUnit.MILLISECONDS.toNanos(2_010));
        assertTrue(limits.allowRender());
        clock.update(TimeUnit.SECONDS.toNanos(3_600));
        limits.rendered(RequestLimits.RENDER_BURST_NS);
        assertFalse(limits.allowRender(), "an hour idle saves up no more than the burst");
    }

    @Test
    void whatThePreviewSendsIsBoundedForAllClientsTogether()
    {
        final long mib = 1L << 20;
        assertTrue(limits.allowBytes(RequestLimits.BYTES_PER_SECOND - mib));
        assertFalse(limits.allowBytes(2 * mib), "past a second's worth");
        assertTrue(limits.allowBytes(mib), "what is left");
        clock.update(TimeUnit.MILLISECONDS.toNanos(250));
        assertTrue(limits.allowBytes(RequestLimits.BYTES_PER_SECOND / 4 - 1), "a quarter second refills a quarter");
        assertFalse(limits.allowBytes(mib));
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
