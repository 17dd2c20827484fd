package io.framewire.codec;

import io.framewire.codec.sbe.FileChunkEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.util.zip.CRC32C;

class FileTransferTest
{
    @TempDir
    Path dir;

    @Test
    void fileArrivesIntactInChunks() throws IOException
    {
        final byte[] content = randomBytes(2_500_000);
        final Path source = Files.write(dir.resolve("in.bin"), content);
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final String sentSha;
        try (MessageStream sender = new MessageStream(InputStream.nullInputStream(), wire, 1 << 21))
        {
            sentSha = FileSender.send(source, sender, 1 << 20, ignored -> { });
        }
        final Path target = dir.resolve("out.bin");
        final long[] progress = new long[1];
        final String receivedSha = new FileReceiver(10_000_000).receive(reader(wire.toByteArray()), target,
            done -> progress[0] = done);
        assertEquals(sentSha, receivedSha);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(content.length, progress[0]);
    }

    @Test
    void damagedChunkIsRejectedAndPartialFileRemoved() throws IOException
    {
        final byte[] wire = wireOf(randomBytes(3000));
        wire[wire.length / 2] ^= 0x55; // flip bits inside the first chunk's data
        final Path target = dir.resolve("out.bin");
        final ProtocolException ex = assertThrows(ProtocolException.class,
            () -> new FileReceiver(1 << 20).receive(reader(wire), target, ignored -> { }));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, ex.code());
        assertFalse(Files.exists(target));
    }

    @Test
    void wrongShaAtEofIsRejected() throws IOException
    {
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (MessageStream stream = new MessageStream(InputStream.nullInputStream(), wire, 1 << 20))
        {
            writeChunk(stream, 0, new byte[] {1, 2, 3});
            stream.write(new ControlMessage.Eof(3, "00".repeat(32)));
        }
        final Path target = dir.resolve("out.bin");
        final ProtocolException ex = assertThrows(ProtocolException.class,
            () -> new FileReceiver(1 << 20).receive(reader(wire.toByteArray()), target, ignored -> { }));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, ex.code());
        assertFalse(Files.exists(target));
    }

    @Test
    void outOfOrderOrOversizedUploadsAreRejected() throws IOException
    {
        final ByteArrayOutputStream skipped = new ByteArrayOutputStream();
        try (MessageStream stream = new MessageStream(InputStream.nullInputStream(), skipped, 1 << 20))
        {
            writeChunk(stream, 1, new byte[] {1});
        }
        assertEquals(ErrorCode.BAD_MESSAGE, assertThrows(ProtocolException.class,
            () -> new FileReceiver(100).receive(reader(skipped.toByteArray()), dir.resolve("a"), i -> { })).code());

        final byte[] big = wireOf(randomBytes(5000));
        assertEquals(ErrorCode.UPLOAD_TOO_LARGE, assertThrows(ProtocolException.class,
            () -> new FileReceiver(4000).receive(reader(big), dir.resolve("b"), i -> { })).code());
    }

    @Test
    void framingRejectsAbsurdLengthsAndTruncation() throws IOException
    {
        final MessageStream http = reader("GET / HTTP/1.1\r\n\r\n".getBytes());
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, assertThrows(ProtocolException.class, http::read).code());

        final MessageStream zero = reader(new byte[] {0, 0, 0, 0});
        assertEquals(ErrorCode.BAD_MESSAGE, assertThrows(ProtocolException.class, zero::read).code());

        // A stream that ends inside a message is a cut connection, as one that ends between messages.
        final MessageStream cut = reader(ByteBuffer.allocate(8).putInt(100).putInt(7).array());
        assertThrows(EOFException.class, cut::read);

        assertThrows(EOFException.class, reader(new byte[0])::read);
    }

    private byte[] wireOf(final byte[] content) throws IOException
    {
        final Path source = Files.write(dir.resolve("src-" + content.length), content);
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (MessageStream sender = new MessageStream(InputStream.nullInputStream(), wire, 1 << 20))
        {
            FileSender.send(source, sender, 1 << 16, ignored -> { });
        }
        return wire.toByteArray();
    }

    private static void writeChunk(final MessageStream stream, final long sequence, final byte[] data)
        throws IOException
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final FileChunkEncoder encoder = new FileChunkEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .sequence(sequence)
            .crc32c(crc.getValue())
            .putData(data, 0, data.length);
        stream.write(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static MessageStream reader(final byte[] bytes)
    {
        return new MessageStream(new ByteArrayInputStream(bytes), OutputStream.nullOutputStream(), 1 << 21);
    }

    private static byte[] randomBytes(final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
