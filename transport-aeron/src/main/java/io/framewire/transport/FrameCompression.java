package io.framewire.transport;

import io.framewire.codec.sbe.FrameEncoding;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;

/**
 * LZ4 for frames crossing a slow link: the pixels of a task or a result compressed whole, into and out of direct
 * buffers (no copies on the heap). Lossless, so results are the same whichever way they travelled.
 */
public final class FrameCompression
{
    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();

    private FrameCompression()
    {
    }

    /** The encoding named on the command line: {@code raw} or {@code lz4}. */
    public static FrameEncoding parse(final String name)
    {
        return switch (name)
        {
            case "raw" -> FrameEncoding.BGR24;
            case "lz4" -> FrameEncoding.LZ4;
            default -> throw new IllegalArgumentException("unknown frame encoding '" + name + "' (raw or lz4)");
        };
    }

    /** Room needed to compress {@code length} bytes. */
    public static int maxCompressedLength(final int length)
    {
        return COMPRESSOR.maxCompressedLength(length);
    }

    /**
     * Compresses {@code length} bytes at {@code offset} of {@code source}, which must wrap a {@link ByteBuffer} or
     * an array (not a bare address).
     *
     * @return the compressed length, written at the start of {@code destination}.
     */
    public static int compress(final DirectBuffer source, final int offset, final int length,
        final ByteBuffer destination)
    {
        final ByteBuffer buffer = source.byteBuffer();
        if (buffer != null)
        {
            return COMPRESSOR.compress(buffer, (int)source.wrapAdjustment() + offset, length, destination, 0,
                destination.capacity());
        }
        if (source.byteArray() != null)
        {
            return COMPRESSOR.compress(ByteBuffer.wrap(source.byteArray()), (int)source.wrapAdjustment() + offset,
                length, destination, 0, destination.capacity());
        }
        throw new IllegalArgumentException("pixels to compress must be in a ByteBuffer or an array");
    }

    /**
     * @return the decompressed length, or -1 when {@code source} is not LZ4 data that fits {@code destination}.
     */
    public static int decompress(final ByteBuffer source, final int length, final ByteBuffer destination,
        final int destinationLength)
    {
        try
        {
            return DECOMPRESSOR.decompress(source, 0, length, destination, 0, destinationLength);
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }
}
