package io.framewire.server.metrics;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.Comparator;

/**
 * A job's thumbnails: {@code count} frames evenly spaced over the video (by the container's frame count; every
 * 2 s when it declares none), downscaled and JPEG-encoded on the media I/O pool, never on the encoder's thread.
 */
public final class Thumbnails
{
    private final int count;
    private final long[] frames;
    private final int width;
    private final int height;
    private final ExecutorService io;
    private final List<CompletableFuture<Thumbnail>> made = new ArrayList<>();

    /** One thumbnail: the frame it shows and its JPEG. */
    public record Thumbnail(long frame, byte[] jpeg)
    {
    }

    public Thumbnails(final int count, final long declaredFrames, final double frameRate, final int width,
        final int height, final ExecutorService io)
    {
        this.count = Math.max(0, count);
        this.width = width;
        this.height = height;
        this.io = io;
        frames = new long[this.count];
        final long step = Math.max(1, Math.round(2 * frameRate));
        for (int i = 0; i < this.count; i++)
        {
            frames[i] = declaredFrames > 1 ? (this.count == 1 ? 0 : i * (declaredFrames - 1) / (this.count - 1)) :
                i * step;
        }
    }

    /** Encoder: whether frame {@code n} is one of the thumbnails. */
    public boolean wants(final long n)
    {
        for (final long frame : frames)
        {
            if (frame == n)
            {
                return true;
            }
        }
        return false;
    }

    /** Encoder: a {@code width × height} BGR copy of frame {@code n}, kept as given. */
    public synchronized void add(final long n, final byte[] bgr)
    {
        made.add(CompletableFuture.supplyAsync(() -> new Thumbnail(n, jpeg(bgr)), io));
    }

    /** The thumbnails made so far, in frame order; waits for those still being encoded. */
    public List<Thumbnail> all()
    {
        final List<CompletableFuture<Thumbnail>> snapshot;
        synchronized (this)
        {
            snapshot = List.copyOf(made);
        }
        return snapshot.stream().map(CompletableFuture::join)
            .sorted(Comparator.comparingLong(Thumbnail::frame)).toList();
    }

    private byte[] jpeg(final byte[] bgr)
    {
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        System.arraycopy(bgr, 0, ((DataBufferByte)image.getRaster().getDataBuffer()).getData(), 0, bgr.length);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            ImageIO.write(image, "jpg", out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
