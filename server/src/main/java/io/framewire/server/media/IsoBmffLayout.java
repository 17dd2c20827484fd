package io.framewire.server.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Where an ISO base media file (MP4, MOV, 3GP, M4V) keeps its index, read from the top-level box headers at the
 * start of the file. Cameras, phones and FFmpeg write the {@code moov} index after the media data ({@code mdat}),
 * so such a file cannot be decoded front to back: a decoder needs its end before its first frame.
 */
public enum IsoBmffLayout
{
    /** Not an ISO base media file: the container decides for itself how it is read. */
    NOT_ISO_BMFF,
    /**
     * {@code moov} comes before the media data (faststart): decodable while it arrives, through a reader that can
     * seek (the samples may be interleaved in any order).
     */
    INDEX_FIRST,
    /**
     * Fragmented ({@code moof} boxes after the {@code moov}): decodable front to back, and only so while it arrives;
     * a demuxer that can seek reads every fragment's header, to the end of the file, before the first frame.
     */
    FRAGMENTED,
    /** {@code mdat} comes first: nothing decodes until the index at the end has arrived. */
    INDEX_LAST;

    /** Types a file may start with: {@code ftyp} in MP4, the others in QuickTime files older than it. */
    private static final Set<String> FIRST_BOXES = Set.of("ftyp", "moov", "mdat", "free", "skip", "wide", "pnot");
    private static final int MAX_BOXES = 64;

    /** How a stream protocol reads an upload of this layout while it arrives: through a reader that can seek. */
    public boolean readsSeeking()
    {
        return this == INDEX_FIRST;
    }

    /**
     * Reads box headers from the start of {@code in}, skipping each box's body; reads only as far as the first
     * {@code moof} or {@code mdat} header.
     */
    public static IsoBmffLayout of(final InputStream in) throws IOException
    {
        final byte[] header = new byte[16];
        boolean sawIndex = false;
        for (int box = 0; box < MAX_BOXES; box++)
        {
            if (in.readNBytes(header, 0, 8) < 8)
            {
                return box == 0 ? NOT_ISO_BMFF : sawIndex ? INDEX_FIRST : INDEX_LAST;
            }
            final String type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
            if (box == 0 && !FIRST_BOXES.contains(type))
            {
                return NOT_ISO_BMFF;
            }
            switch (type)
            {
                case "moof" ->
                {
                    return FRAGMENTED;
                }
                case "mdat" ->
                {
                    return sawIndex ? INDEX_FIRST : INDEX_LAST;
                }
                case "moov" -> sawIndex = true;
                default ->
                {
                    // a box to skip
                }
            }
            long size = readUnsigned(header, 0, 4);
            long headerBytes = 8;
            if (size == 1)
            {
                if (in.readNBytes(header, 8, 8) < 8)
                {
                    return sawIndex ? INDEX_FIRST : INDEX_LAST;
                }
                size = readUnsigned(header, 8, 8);
                headerBytes = 16;
            }
            if (size == 0)
            {
                // the box runs to the end of the file: nothing follows it
                return sawIndex ? INDEX_FIRST : INDEX_LAST;
            }
            if (size < headerBytes)
            {
                return box == 0 ? NOT_ISO_BMFF : sawIndex ? INDEX_FIRST : INDEX_LAST;
            }
            in.skipNBytes(size - headerBytes);
        }
        return INDEX_LAST;
    }

    private static long readUnsigned(final byte[] bytes, final int offset, final int length)
    {
        long value = 0;
        for (int i = 0; i < length; i++)
        {
            value = value << 8 | bytes[offset + i] & 0xFF;
        }
        return value;
    }
}
