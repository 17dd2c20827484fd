package io.framewire.codec;

import io.framewire.codec.sbe.FileChunkDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md's examples are what the code sends and reads: every length-prefixed JSON line has the length
 * it says and decodes, every hex dump of an SBE message decodes to what it is described as, and every CRC32C
 * given is the data's.
 */
class ProtocolDocsTest
{
    private static final Pattern JSON_LINE = Pattern.compile("^([0-9a-f]{8}) (\\{.*})$", Pattern.MULTILINE);
    /** An offset, then bytes in hex (or {@code ...} where the text leaves some out), then a comment. */
    private static final Pattern HEX_LINE = Pattern.compile(
        "^([0-9a-f]{4})  ((?:[0-9a-f]{2}|\\.\\.\\.)(?: (?:[0-9a-f]{2}|\\.\\.\\.))*)(?:  .*)?$");
    private final String doc;

    ProtocolDocsTest() throws Exception
    {
        doc = Files.readString(Path.of("..", "docs", "protocol.md"));
    }

    @Test
    void everyFramedJsonExampleHasItsLengthAndDecodes() throws Exception
    {
        final Matcher line = JSON_LINE.matcher(doc);
        int examples = 0;
        while (line.find())
        {
            final byte[] json = line.group(2).getBytes(StandardCharsets.UTF_8);
            assertEquals(Integer.parseInt(line.group(1), 16), json.length, "length prefix of " + line.group(2));
            final ControlMessage message = JsonMessages.decode(json, 0, json.length);
            assertEquals(JsonMessages.MAPPER.readTree(line.group(2)), JsonMessages.MAPPER.readTree(
                JsonMessages.encode(message)), "written back the same: " + line.group(2));
            examples++;
        }
        assertTrue(examples >= 6, "handshake, ready, eof, progress, notice, error: " + examples);
    }

    @Test
    void theJsonFileChunkCarriesItsDatasCrc() throws Exception
    {
        final Matcher frame = Pattern.compile("`(\\{\"type\":\"frame\".*?})`").matcher(doc);
        assertTrue(frame.find(), "the JSON form of a chunk is shown");
        final byte[] json = frame.group(1).getBytes(StandardCharsets.UTF_8);
        final ControlMessage.DataChunk chunk = (ControlMessage.DataChunk)JsonMessages.decode(json, 0, json.length);
        assertEquals(crc32c(chunk.data()), chunk.crc32c());
    }

    @Test
    void everySbeHexDumpDecodes() throws Exception
    {
        final List<byte[]> dumps = hexDumps();
        boolean handshake = false;
        boolean fileChunk = false;
        for (final byte[] bytes : dumps)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
            assertEquals(7001, header.schemaId());
            if (header.templateId() == 1)
            {
                final Handshake decoded = HandshakeCodec.decode(buffer, 0, bytes.length);
                assertEquals("blur", decoded.processing());
                assertEquals("a.mp4", decoded.fileName());
                assertEquals("7", decoded.params().get("ksize"));
                final UnsafeBuffer again = new UnsafeBuffer(new byte[256]);
                final int length = HandshakeCodec.encode(decoded, again, 0);
                final byte[] encoded = new byte[length];
                again.getBytes(0, encoded);
                assertArrayEquals(bytes, encoded, "the dump is what the server's encoder writes");
                assertTrue(doc.contains(bytes.length + " bytes here"), "its size is the one the text gives");
                handshake = true;
            }
            else if (header.templateId() == FileChunkDecoder.TEMPLATE_ID)
            {
                final FileChunkDecoder chunk = new FileChunkDecoder().wrapAndApplyHeader(buffer, 0, header);
                final byte[] data = new byte[chunk.dataLength()];
                final long crc = chunk.crc32c();
                chunk.getData(data, 0, data.length);
                assertEquals(crc32c(data), crc, "the chunk's CRC32C is its data's");
                assertTrue(doc.contains(String.format("0x%08x", crc)), "and the text gives the same value");
                fileChunk = true;
            }
        }
        assertTrue(handshake && fileChunk, "a handshake and a file chunk are shown: " + dumps.size());
    }

    /** Each run of hex-dump lines, as bytes; runs that abbreviate bytes ({@code ...}) are left out. */
    private List<byte[]> hexDumps()
    {
        final List<byte[]> dumps = new ArrayList<>();
        ByteArrayOutputStream current = null;
        boolean abbreviated = false;
        for (final String text : doc.lines().toList())
        {
            final Matcher line = HEX_LINE.matcher(text);
            if (line.matches())
            {
                if (current == null)
                {
                    current = new ByteArrayOutputStream();
                    abbreviated = false;
                }
                if (line.group(2).contains("..."))
                {
                    abbreviated = true;
                    continue;
                }
                if (!abbreviated)
                {
                    assertEquals(current.size(), Integer.parseInt(line.group(1), 16), "offset of: " + text);
                    current.writeBytes(HexFormat.of().parseHex(line.group(2).replace(" ", "")));
                }
            }
            else if (current != null)
            {
                if (!abbreviated)
                {
                    dumps.add(current.toByteArray());
                }
                current = null;
            }
        }
        return dumps;
    }

    private static long crc32c(final byte[] data)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }
}
