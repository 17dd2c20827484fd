package io.framewire.server.media;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IsoBmffLayoutTest
{
    @Test
    void readsWhereTheIndexIsFromTheBoxHeaders() throws IOException
    {
        assertEquals(IsoBmffLayout.INDEX_LAST, layout(box("ftyp", 24), box("free", 8), box("mdat", 5000),
            box("moov", 900)));
        assertEquals(IsoBmffLayout.INDEX_FIRST, layout(box("ftyp", 24), box("moov", 900), box("free", 8),
            box("mdat", 5000)));
        assertEquals(IsoBmffLayout.FRAGMENTED, layout(box("ftyp", 24), box("moov", 900), box("moof", 100),
            box("mdat", 5000)));
        // A 64-bit size (size field 1): the box is skipped by its large size.
        assertEquals(IsoBmffLayout.INDEX_LAST, layout(box("ftyp", 24), largeBox("mdat", 70_000), box("moov", 900)));
        // Old QuickTime files may start with their moov or their mdat.
        assertEquals(IsoBmffLayout.INDEX_LAST, layout(box("mdat", 5000), box("moov", 900)));
        assertEquals(IsoBmffLayout.NOT_ISO_BMFF,
            layout("\u001aE\u00df\u00a3 Matroska".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(IsoBmffLayout.NOT_ISO_BMFF, layout("RIFF....AVI LIST".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(IsoBmffLayout.NOT_ISO_BMFF, layout(new byte[3]));
    }

    private static IsoBmffLayout layout(final byte[]... boxes) throws IOException
    {
        final ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (final byte[] box : boxes)
        {
            file.write(box);
        }
        return IsoBmffLayout.of(new ByteArrayInputStream(file.toByteArray()));
    }

    private static byte[] box(final String type, final int size)
    {
        final ByteBuffer box = ByteBuffer.allocate(size);
        box.putInt(size).put(type.getBytes(StandardCharsets.ISO_8859_1));
        return box.array();
    }

    private static byte[] largeBox(final String type, final int size)
    {
        final ByteBuffer box = ByteBuffer.allocate(size);
        box.putInt(1).put(type.getBytes(StandardCharsets.ISO_8859_1)).putLong(size);
        return box.array();
    }
}
