package io.framewire.server.metrics;

import org.agrona.concurrent.NanoClock;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * An animated GIF of a job's output so far: the encoder hands over small, subsampled frames; the GIF is made on
 * request when frames were added since the last one, at most once every {@link #REBUILD_INTERVAL_NS}. Each frame
 * is compressed once, the first time a GIF holds it, and kept as its GIF image block; a GIF is those blocks behind
 * a header, so viewers asking for it in a loop cost almost nothing. Keeps the latest {@link #MAX_FRAMES} frames.
 */
public final class PreviewGif
{
    /** Width of the preview frames; height keeps the aspect ratio. */
    public static final int WIDTH = 320;
    /** Frames per second of video shown in the GIF. */
    public static final double RATE = 5.0;
    public static final long REBUILD_INTERVAL_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_FRAMES = 75;
    private static final int EXTENSION = 0x21;
    private static final int IMAGE = 0x2C;
    private static final int TRAILER = 0x3B;
    private static final int GRAPHIC_CONTROL = 0xF9;
    /** Levels of red, green and blue in the fixed palette: 6 × 7 × 6 = 252 colours (the eye sees green best). */
    private static final int REDS = 6;
    private static final int GREENS = 7;
    private static final int BLUES = 6;
    private static final IndexColorModel PALETTE = palette();
    private static final int[] LEVEL_R = levels(REDS, GREENS * BLUES);
    private static final int[] LEVEL_G = levels(GREENS, BLUES);
    private static final int[] LEVEL_B = levels(BLUES, 1);

    private final int width;
    private final int height;
    private final int delayCentiseconds;
    private final NanoClock clock;
    private final Object rebuild = new Object();
    private final byte[][] frames = new byte[MAX_FRAMES][];
    /** Each frame's image block (its graphic control, descriptor, colour table and data), once compressed. */
    private final byte[][] blocks = new byte[MAX_FRAMES][];
    private int count;
    private int next;
    private boolean dirty;
    private byte[] gif;
    private long builtNs;

    public PreviewGif(final int width, final int height, final double frameRate, final NanoClock clock)
    {
        this.clock = clock;
        this.width = width;
        this.height = height;
        this.delayCentiseconds = (int)Math.max(2, Math.round(100.0 / Math.min(RATE, frameRate)));
    }

    /** Every how many video frames one goes into the GIF. */
    public static int every(final double frameRate)
    {
        return (int)Math.max(1, Math.round(frameRate / RATE));
    }

    /** @param bgr a {@code width × height} BGR frame, kept as given. */
    public synchronized void add(final byte[] bgr)
    {
        frames[next] = bgr;
        blocks[next] = null;
        next = (next + 1) % MAX_FRAMES;
        count = Math.min(MAX_FRAMES, count + 1);
        dirty = true;
    }

    public synchronized int frameCount()
    {
        return count;
    }

    /**
     * @return the GIF, or null before the first frame. Frames are compressed outside the lock {@link #add} takes,
     * so the encoder never waits for a viewer's GIF.
     */
    public byte[] gif() throws IOException
    {
        synchronized (rebuild)
        {
            final int[] slots;
            final byte[][] raw;
            final byte[][] made;
            final long nowNs = clock.nanoTime();
            synchronized (this)
            {
                if (count == 0)
                {
                    return null;
                }
                if (gif != null && !(dirty && nowNs - builtNs >= REBUILD_INTERVAL_NS))
                {
                    return gif;
                }
                slots = new int[count];
                raw = new byte[count][];
                made = new byte[count][];
                final int first = count < MAX_FRAMES ? 0 : next;
                for (int i = 0; i < count; i++)
                {
                    slots[i] = (first + i) % MAX_FRAMES;
                    raw[i] = frames[slots[i]];
                    made[i] = blocks[slots[i]];
                }
                dirty = false;
            }
            for (int i = 0; i < made.length; i++)
            {
                if (made[i] == null)
                {
                    made[i] = imageBlock(raw[i]);
                }
            }
            final byte[] assembled = assemble(made);
            synchronized (this)
            {
                for (int i = 0; i < slots.length; i++)
                {
                    if (frames[slots[i]] == raw[i])
                    {
                        blocks[slots[i]] = made[i];
                    }
                }
                gif = assembled;
                builtNs = nowNs;
            }
            return assembled;
        }
    }

    /** Header, loop forever, the frames' blocks, trailer. */
    private byte[] assemble(final byte[][] made)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        writeShort(out, width);
        writeShort(out, height);
        out.write(0); // no global colour table: each frame has its own
        out.write(0);
        out.write(0);
        out.write(EXTENSION);
        out.write(0xFF);
        out.write(11);
        out.writeBytes("NETSCAPE2.0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {3, 1, 0, 0, 0});
        for (final byte[] block : made)
        {
            out.writeBytes(block);
        }
        out.write(TRAILER);
        return out.toByteArray();
    }

    /**
     * One frame as a GIF image block: ImageIO compresses it as a GIF of its own, whose image descriptor, colour
     * table (made local) and data are kept, behind this GIF's graphic control (delay, no disposal).
     */
    private byte[] imageBlock(final byte[] bgr) throws IOException
    {
        // A fixed palette, looked up per pixel: building an optimal one per frame (what ImageIO does for a
        // true-colour image) is most of a GIF's cost, and the GIF is a preview.
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
        final byte[] indexed = ((DataBufferByte)image.getRaster().getDataBuffer()).getData();
        for (int i = 0, p = 0; i < indexed.length; i++, p += 3)
        {
            indexed[i] = (byte)(LEVEL_B[bgr[p] & 0xFF] + LEVEL_G[bgr[p + 1] & 0xFF] + LEVEL_R[bgr[p + 2] & 0xFF]);
        }
        final ByteArrayOutputStream single = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "gif", single))
        {
            throw new IOException("no GIF writer");
        }
        final byte[] gifBytes = single.toByteArray();
        int pos = 10;
        final int screen = gifBytes[pos] & 0xFF;
        pos = 13;
        byte[] globalTable = null;
        int globalBits = 0;
        if ((screen & 0x80) != 0)
        {
            globalBits = screen & 0x07;
            globalTable = Arrays.copyOfRange(gifBytes, pos, pos + 3 * (1 << (globalBits + 1)));
            pos += globalTable.length;
        }
        while ((gifBytes[pos] & 0xFF) == EXTENSION)
        {
            pos = skipSubBlocks(gifBytes, pos + 2); // its own graphic control or comments: ours replace them
        }
        if ((gifBytes[pos] & 0xFF) != IMAGE)
        {
            throw new IOException("unexpected GIF block " + (gifBytes[pos] & 0xFF));
        }
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(EXTENSION);
        block.write(GRAPHIC_CONTROL);
        block.write(4);
        block.write(1 << 2); // disposal: leave in place
        writeShort(block, delayCentiseconds);
        block.write(0);
        block.write(0);
        final int descriptor = (gifBytes[pos + 9] & 0xFF);
        block.write(gifBytes, pos, 9);
        if ((descriptor & 0x80) != 0 || globalTable == null)
        {
            block.write(descriptor);
        }
        else
        {
            block.write(0x80 | (descriptor & 0x40) | globalBits); // the global table, as this frame's own
            block.writeBytes(globalTable);
        }
        pos += 10;
        final int dataStart = pos;
        if ((descriptor & 0x80) != 0)
        {
            pos += 3 * (1 << ((descriptor & 0x07) + 1));
        }
        pos = skipSubBlocks(gifBytes, pos + 1); // LZW minimum code size, then the data
        block.write(gifBytes, dataStart, pos - dataStart);
        return block.toByteArray();
    }

    private static IndexColorModel palette()
    {
        final byte[] r = new byte[256];
        final byte[] g = new byte[256];
        final byte[] b = new byte[256];
        for (int i = 0; i < REDS * GREENS * BLUES; i++)
        {
            r[i] = (byte)(i / (GREENS * BLUES) * 255 / (REDS - 1));
            g[i] = (byte)(i / BLUES % GREENS * 255 / (GREENS - 1));
            b[i] = (byte)(i % BLUES * 255 / (BLUES - 1));
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    /** For each 8-bit value, its nearest of {@code count} levels, times {@code stride} (its place in the index). */
    private static int[] levels(final int count, final int stride)
    {
        final int[] levels = new int[256];
        for (int v = 0; v < 256; v++)
        {
            levels[v] = Math.round(v * (count - 1) / 255f) * stride;
        }
        return levels;
    }

    /** @return the position after the sub-blocks starting at {@code pos} and their terminator. */
    private static int skipSubBlocks(final byte[] bytes, final int pos)
    {
        int at = pos;
        while ((bytes[at] & 0xFF) != 0)
        {
            at += 1 + (bytes[at] & 0xFF);
        }
        return at + 1;
    }

    private static void writeShort(final ByteArrayOutputStream out, final int value)
    {
        out.write(value & 0xFF);
        out.write(value >>> 8 & 0xFF);
    }
}
