package io.framewire.server.metrics;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** The GIF, assembled from frames compressed once each, is one any decoder reads: every frame, its size. */
    @Test
    void decodesToEveryFrame() throws Exception
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final PreviewGif gif = new PreviewGif(64, 36, 25, clock);
        for (int f = 0; f < 80; f++)
        {
            final byte[] frame = new byte[64 * 36 * 3];
            for (int i = 0; i < frame.length; i++)
            {
                frame[i] = (byte)(i % 192 + f); // a different gradient each frame
            }
            gif.add(frame);
            if (f == 10)
            {
                gif.gif(); // some frames compressed early, the rest later: the blocks fit together
            }
            clock.update(clock.nanoTime() + PreviewGif.REBUILD_INTERVAL_NS);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif.gif())))
        {
            final ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(75, reader.getNumImages(true), "the latest 75");
            final BufferedImage last = reader.read(74);
            assertEquals(64, last.getWidth());
            assertEquals(36, last.getHeight());
            reader.dispose();
        }
    }
}
