package io.framewire.server.metrics;

import org.agrona.concurrent.NanoClock;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * An animated GIF of a job's output so far: the encoder hands over small, subsampled frames; the GIF is
 * rebuilt on request when frames were added since the last one, at most once every {@link #REBUILD_INTERVAL_NS}
 * (viewers asking for it in a loop must not take the jobs' CPU). Keeps the latest {@link #MAX_FRAMES} frames.
 */
public final class PreviewGif
{
    /** Width of the preview frames; height keeps the aspect ratio. */
    public static final int WIDTH = 320;
    /** Frames per second of video shown in the GIF. */
    public static final double RATE = 5.0;
    private static final int MAX_FRAMES = 75;
    public static final long REBUILD_INTERVAL_NS = TimeUnit.SECONDS.toNanos(2);

    private final int width;
    private final int height;
    private final int delayCentiseconds;
    private final byte[][] frames = new byte[MAX_FRAMES][];
    private int count;
    private int next;
    private final NanoClock clock;
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
        next = (next + 1) % MAX_FRAMES;
        count = Math.min(MAX_FRAMES, count + 1);
        dirty = true;
    }

    public synchronized int frameCount()
    {
        return count;
    }

    /** @return the GIF, or null before the first frame. */
    public synchronized byte[] gif() throws IOException
    {
        if (count == 0)
        {
            return null;
        }
        final long nowNs = clock.nanoTime();
        if (gif == null || dirty && nowNs - builtNs >= REBUILD_INTERVAL_NS)
        {
            gif = encode();
            builtNs = nowNs;
            dirty = false;
        }
        return gif;
    }

    private byte[] encode() throws IOException
    {
        final ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes))
        {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            final int first = count < MAX_FRAMES ? 0 : next;
            for (int i = 0; i < count; i++)
            {
                final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
                final byte[] target = ((DataBufferByte)image.getRaster().getDataBuffer()).getData();
                System.arraycopy(frames[(first + i) % MAX_FRAMES], 0, target, 0, target.length);
                writer.writeToSequence(new IIOImage(image, null, frameMetadata(writer, image, i == 0)), null);
            }
            writer.endWriteSequence();
        }
        finally
        {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private IIOMetadata frameMetadata(final ImageWriter writer, final BufferedImage image, final boolean first)
        throws IOException
    {
        final ImageWriteParam param = writer.getDefaultWriteParam();
        final IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        final String format = metadata.getNativeMetadataFormatName();
        final IIOMetadataNode root = (IIOMetadataNode)metadata.getAsTree(format);
        final IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(delayCentiseconds));
        control.setAttribute("transparentColorIndex", "0");
        if (first)
        {
            // NETSCAPE2.0 application extension: loop forever.
            final IIOMetadataNode extensions = child(root, "ApplicationExtensions");
            final IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
            loop.setAttribute("applicationID", "NETSCAPE");
            loop.setAttribute("authenticationCode", "2.0");
            loop.setUserObject(new byte[] {1, 0, 0});
            extensions.appendChild(loop);
        }
        metadata.setFromTree(format, root);
        return metadata;
    }

    private static IIOMetadataNode child(final IIOMetadataNode root, final String name)
    {
        for (int i = 0; i < root.getLength(); i++)
        {
            if (root.item(i).getNodeName().equalsIgnoreCase(name))
            {
                return (IIOMetadataNode)root.item(i);
            }
        }
        final IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
