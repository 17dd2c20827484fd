package io.framewire.codec;

import io.framewire.codec.sbe.FileChunkEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;

import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Writes file chunks as SBE {@code FileChunk}s, each with its CRC32C, through one reused buffer and flyweight; the
 * caller numbers them (each connection's chunks count from 0). One per sending thread.
 */
public final class FileChunkWriter
{
    private final CRC32C crc = new CRC32C();
    private final ExpandableArrayBuffer buffer;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final FileChunkEncoder encoder = new FileChunkEncoder();

    /** @param maxChunkBytes the largest chunk it will be given. */
    public FileChunkWriter(final int maxChunkBytes)
    {
        buffer = new ExpandableArrayBuffer(maxChunkBytes + 64);
    }

    public void write(final MessageStream stream, final long sequence, final byte[] data, final int length)
        throws IOException
    {
        crc.reset();
        crc.update(data, 0, length);
        encoder.wrapAndApplyHeader(buffer, 0, header)
            .sequence(sequence)
            .crc32c(crc.getValue())
            .putData(data, 0, length);
        stream.write(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }
}
