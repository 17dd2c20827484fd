package io.framewire.server.metrics;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The GIF is rebuilt for new frames at most once per interval, however often it is asked for. */
class PreviewGifTest
{
    @Test
    void rebuiltAtMostOncePerInterval() throws Exception
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final PreviewGif gif = new PreviewGif(32, 18, 25, clock);
        assertNull(gif.gif(), "nothing before the first frame");
        gif.add(new byte[32 * 18 * 3]);
        final byte[] first = gif.gif();
        gif.add(new byte[32 * 18 * 3]);
        clock.update(PreviewGif.REBUILD_INTERVAL_NS - 1);
        assertSame(first, gif.gif(), "a new frame within the interval: the GIF made before");
        clock.update(PreviewGif.REBUILD_INTERVAL_NS);
        final byte[] second = gif.gif();
        assertNotSame(first, second, "past the interval the new frame is in");
        clock.update(10 * PreviewGif.REBUILD_INTERVAL_NS);
        assertSame(second, gif.gif(), "no new frame: never rebuilt");
    }
}
