package io.framewire.codec;

import io.framewire.codec.sbe.FileChunkDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import java.util.function.Consumer;

/**
 * Receives a file sent by {@link FileSender} (or as JSON {@code frame} chunks) into {@code target}, checking
 * chunk order, each chunk's CRC32C, the size limit, and the size and SHA-256 given at {@code eof}. On any
 * failure the partial file is deleted before the exception leaves.
 */
public final class FileReceiver
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final FileChunkDecoder decoder = new FileChunkDecoder();
    private final CRC32C crc = new CRC32C();
    private final long maxBytes;
    private final Consumer<ControlMessage.Progress> onProgress;
    private final Consumer<ControlMessage.Notice> onNotice;
    private byte[] scratch = new byte[64 * 1024];

    /** @param maxBytes the most bytes accepted; more fails with {@link ErrorCode#UPLOAD_TOO_LARGE}. */
    public FileReceiver(final long maxBytes)
    {
        this(maxBytes, progress -> { });
    }

    /** @param onProgress told of {@code progress} messages that arrive between the chunks. */
    public FileReceiver(final long maxBytes, final Consumer<ControlMessage.Progress> onProgress)
    {
        this(maxBytes, onProgress, notice -> { });
    }

    /** @param onNotice told of {@code notice} messages that arrive between the chunks. */
    public FileReceiver(final long maxBytes, final Consumer<ControlMessage.Progress> onProgress,
        final Consumer<ControlMessage.Notice> onNotice)
    {
        this.maxBytes = maxBytes;
        this.onProgress = onProgress;
        this.onNotice = onNotice;
    }

    /** @return the file's SHA-256, lower-case hex. */
    public String receive(final MessageStream stream, final Path target, final LongConsumer progress)
        throws IOException
    {
        boolean complete = false;
        try (OutputStream out = Files.newOutputStream(target))
        {
            final String sha = receive(stream, out, progress);
            complete = true;
            return sha;
        }
        finally
        {
            if (!complete)
            {
                Files.deleteIfExists(target);
            }
        }
    }

    /** Receives into {@code out}, which the caller owns. @return the file's SHA-256, lower-case hex. */
    public String receive(final MessageStream stream, final OutputStream out, final LongConsumer progress)
        throws IOException
    {
        return receive(stream, out, progress, Sha256.newDigest(), 0);
    }

    /**
     * Receives the rest of a file whose first {@code offset} bytes {@code target} holds (what came before a
     * connection broke), appending; {@code eof}'s size and SHA-256 are the whole file's. On a failure
     * {@code target} keeps what arrived, for the next try. @return the whole file's SHA-256, lower-case hex.
     */
    public String resume(final MessageStream stream, final Path target, final long offset,
        final LongConsumer progress) throws IOException
    {
        final MessageDigest sha256 = Sha256.newDigest();
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.READ))
        {
            channel.truncate(offset);
            final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            channel.position(0);
            while (channel.read(buffer) > 0)
            {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
        }
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.APPEND))
        {
            return receive(stream, out, progress, sha256, offset);
        }
    }

    private String receive(final MessageStream stream, final OutputStream out, final LongConsumer progress,
        final MessageDigest sha256, final long offset) throws IOException
    {
        long received = offset;
        long expectedSequence = 0;
        while (true)
        {
            stream.read();
            final long sequence;
            final long crc32c;
            final int dataLength;
            if (stream.isJson())
            {
                final ControlMessage message = stream.json();
                if (message instanceof ControlMessage.Eof eof)
                {
                    final String hex = HexFormat.of().formatHex(sha256.digest());
                    if (eof.size() != received)
                    {
                        throw new ProtocolException(ErrorCode.CHECKSUM_MISMATCH, "eof says " + eof.size() +
                            " bytes but " + received + " arrived");
                    }
                    if (!hex.equalsIgnoreCase(eof.sha256()))
                    {
                        throw new ProtocolException(ErrorCode.CHECKSUM_MISMATCH, "SHA-256 of the file is " + hex +
                            ", eof says " + eof.sha256());
                    }
                    return hex;
                }
                if (message instanceof ControlMessage.Error error)
                {
                    throw new RemoteErrorException(error.code(), error.message());
                }
                if (message instanceof ControlMessage.Cancel)
                {
                    throw new RemoteErrorException(ErrorCode.CANCELLED.wireName(), "the sender cancelled");
                }
                if (message instanceof ControlMessage.Progress update)
                {
                    onProgress.accept(update);
                    continue;
                }
                if (message instanceof ControlMessage.Notice notice)
                {
                    onNotice.accept(notice);
                    continue;
                }
                if (!(message instanceof ControlMessage.DataChunk chunk))
                {
                    throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "expected a file chunk or eof");
                }
                sequence = chunk.sequence();
                crc32c = chunk.crc32c();
                dataLength = chunk.data().length;
                ensureScratch(dataLength);
                System.arraycopy(chunk.data(), 0, scratch, 0, dataLength);
            }
            else
            {
                final DirectBuffer payload = stream.payload();
                final int templateId = stream.sbeTemplateId();
                if (templateId != FileChunkDecoder.TEMPLATE_ID)
                {
                    throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "expected a file chunk, got template " +
                        templateId);
                }
                try
                {
                    decoder.wrapAndApplyHeader(payload, 0, header);
                    sequence = decoder.sequence();
                    crc32c = decoder.crc32c();
                    dataLength = decoder.dataLength();
                    SbeMessages.checkLimit(
                        decoder.limit() + FileChunkDecoder.dataHeaderLength() + dataLength, 0, stream.length());
                    ensureScratch(dataLength);
                    decoder.getData(scratch, 0, dataLength);
                }
                catch (final IndexOutOfBoundsException ex)
                {
                    throw new ProtocolException(ErrorCode.BAD_MESSAGE, "file chunk truncated");
                }
            }
            if (sequence != expectedSequence)
            {
                throw new ProtocolException(ErrorCode.BAD_MESSAGE, "chunk " + sequence + " arrived where " +
                    expectedSequence + " was expected");
            }
            crc.reset();
            crc.update(scratch, 0, dataLength);
            if (crc.getValue() != crc32c)
            {
                throw new ProtocolException(ErrorCode.CHECKSUM_MISMATCH, "CRC32C of chunk " + sequence + " is " +
                    Long.toHexString(crc.getValue()) + ", the chunk says " + Long.toHexString(crc32c));
            }
            received += dataLength;
            if (received > maxBytes)
            {
                throw new ProtocolException(ErrorCode.UPLOAD_TOO_LARGE, "file exceeds the limit of " + maxBytes +
                    " bytes");
            }
            sha256.update(scratch, 0, dataLength);
            out.write(scratch, 0, dataLength);
            expectedSequence++;
            progress.accept(received);
        }
    }

    private void ensureScratch(final int length)
    {
        if (scratch.length < length)
        {
            scratch = new byte[length];
        }
    }
}
