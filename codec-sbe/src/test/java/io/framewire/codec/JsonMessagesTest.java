package io.framewire.codec;

import io.framewire.codec.sbe.FileChunkEncoder;
import io.framewire.codec.sbe.FrameResultEncoder;
import io.framewire.codec.sbe.FrameTaskEncoder;
import io.framewire.codec.sbe.HandshakeEncoder;
import io.framewire.codec.sbe.WorkerHeartbeatEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonMessagesTest
{
    private static final Handshake HANDSHAKE = new Handshake(1, "blur", "file", "clip.mp4", 123_456L,
        Map.of("ksize", "5", "sigma", "1.5"), "vp9", "webm", 2500, "fw_not-a-real-token");

    @Test
    void everyJsonMessageRoundTrips() throws ProtocolException
    {
        final var result = JsonMessages.MAPPER.createObjectNode().put("frames", 50).put("fps", 31.5);
        final ControlMessage[] messages = {
            HANDSHAKE,
            new ControlMessage.Ready("5038246189733270117", 1 << 20, 8080, "q2kXb9vE0M3wL1sJr7tYhA",
                "fwr_Jq0b2T1m5WvXo9LkQe3r8A"),
            new ControlMessage.Resume("fwr_Jq0b2T1m5WvXo9LkQe3r8A", 1048576, ""),
            new ControlMessage.Cancel(),
            new ControlMessage.Ready("8", 1 << 20, 0, null, null),
            new ControlMessage.Ready("8", 1 << 20, 0, null, null, 2097152, 917504),
            new ControlMessage.Eof(99, "ab".repeat(32)),
            new ControlMessage.Progress(10, 250, 31.5),
            new ControlMessage.Progress(10, -1, 0.0),
            new ControlMessage.Notice("not_streamable", "the index is at the end"),
            new ControlMessage.Result(result),
            new ControlMessage.Error(ErrorCode.CHECKSUM_MISMATCH, "chunk 3 is damaged"),
        };
        for (final ControlMessage message : messages)
        {
            final byte[] bytes = JsonMessages.encode(message);
            assertEquals('{', bytes[0]);
            assertEquals(message, JsonMessages.decode(bytes, 0, bytes.length));
        }
    }

    @Test
    void jsonChunkRoundTripsItsBytes() throws ProtocolException
    {
        final byte[] data = {0, 1, 2, (byte)255, 42};
        final byte[] bytes = JsonMessages.encode(new ControlMessage.DataChunk(3, 0xCAFEL, data));
        final ControlMessage.DataChunk decoded =
            assertInstanceOf(ControlMessage.DataChunk.class, JsonMessages.decode(bytes, 0, bytes.length));
        assertEquals(3, decoded.sequence());
        assertEquals(0xCAFEL, decoded.crc32c());
        assertArrayEquals(data, decoded.data());
    }

    @Test
    void jsonAndSbeHandshakesDecodeEqual() throws ProtocolException
    {
        final byte[] json = JsonMessages.encode(HANDSHAKE);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final int length = HandshakeCodec.encode(HANDSHAKE, buffer, 0);

        final Handshake fromJson = (Handshake)JsonMessages.decode(json, 0, json.length);
        final Handshake fromSbe = HandshakeCodec.decode(buffer, 0, length);
        assertEquals(HANDSHAKE, fromJson);
        assertEquals(fromJson, fromSbe);
        assertEquals("fw_not-a-real-token", fromSbe.token(), "the token travels in both forms");
        assertFalse(HANDSHAKE.toString().contains("fw_not-a-real-token"), "and never shows in a log line");
    }

    @Test
    void originalDesignHandshakeWithoutVersionIsAccepted() throws ProtocolException
    {
        final byte[] json = "{\"type\":\"handshake\",\"processing\":\"blur\",\"protocol\":\"file\",\"file_size\":10}"
            .getBytes(StandardCharsets.UTF_8);
        final Handshake handshake = (Handshake)JsonMessages.decode(json, 0, json.length);
        assertEquals(Handshake.PROTOCOL_VERSION, handshake.version());
        assertEquals("blur", handshake.processing());
        assertEquals(10, handshake.fileSize());
    }

    @Test
    void truncatedSbeHandshakeIsRejected()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final int length = HandshakeCodec.encode(HANDSHAKE, buffer, 0);
        for (final int cut : new int[] {0, 5, 8, 12, length / 2, length - 1})
        {
            final ProtocolException ex =
                assertThrows(ProtocolException.class, () -> HandshakeCodec.decode(buffer, 0, cut), "cut " + cut);
            assertEquals(ErrorCode.BAD_MESSAGE, ex.code(), ex.getMessage());
        }
    }

    @Test
    void garbageIsRejectedWithACode()
    {
        final byte[][] garbage = {
            "{not json".getBytes(StandardCharsets.UTF_8),
            "[1,2,3]".getBytes(StandardCharsets.UTF_8),
            "{\"no_type\":1}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"handshake\",\"file_size\":\"big\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"frame\",\"sequence\":0,\"crc32c\":0,\"data\":\"%%%\"}".getBytes(StandardCharsets.UTF_8),
        };
        for (final byte[] bytes : garbage)
        {
            final ProtocolException ex =
                assertThrows(ProtocolException.class, () -> JsonMessages.decode(bytes, 0, bytes.length));
            assertEquals(ErrorCode.BAD_MESSAGE, ex.code(), new String(bytes, StandardCharsets.UTF_8));
        }
        final byte[] unknown = "{\"type\":\"teleport\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(ErrorCode.UNKNOWN_TYPE,
            assertThrows(ProtocolException.class, () -> JsonMessages.decode(unknown, 0, unknown.length)).code());
        final UnsafeBuffer random = new UnsafeBuffer(new byte[] {9, 0, 1, 0, 33, 33, 1, 0, 0, 0, 0, 0});
        assertEquals(ErrorCode.BAD_MESSAGE,
            assertThrows(ProtocolException.class, () -> HandshakeCodec.decode(random, 0, 12)).code());
    }

    @Test
    void noSbeMessageCanBeMistakenForJson()
    {
        // A TCP payload starting with '{' is JSON; the first byte of an SBE message is its blockLength's low byte.
        final int[] blockLengths = {HandshakeEncoder.BLOCK_LENGTH, FileChunkEncoder.BLOCK_LENGTH,
            FrameTaskEncoder.BLOCK_LENGTH, FrameResultEncoder.BLOCK_LENGTH, WorkerHeartbeatEncoder.BLOCK_LENGTH};
        for (final int blockLength : blockLengths)
        {
            assertNotEquals('{', blockLength & 0xFF);
        }
    }
}
