package io.framewire.server.media;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the fragmented MP4 of an encoder started at a fragment boundary into the rest of the {@link Mp4Prefix} the
 * job left: its header is checked against the prefix's and dropped, each fragment is numbered on from the prefix's
 * and moved onto its timeline (each track's decode times shifted to start where the track ended), the first
 * {@link Mp4Prefix#audioPacketsToDrop} audio packets are removed, and the random access index at the end (which
 * knows only the continuation's offsets) is dropped.
 *
 * <p>The muxer writes a fragment's {@code moof} and {@code mdat} at once; each fragment is held until it is whole,
 * in a buffer that grows to the largest fragment and is reused.
 */
public final class Mp4Continuation extends OutputStream
{
    private final OutputStream out;
    private final Mp4Prefix prefix;
    private final List<Mp4Prefix.TrackEnd> tracks;
    private final long[] trackDefaults;
    /** Added to each track's decode times; known from the track's first sample kept. */
    private final long[] shift;
    private final boolean[] shiftKnown;
    private final int audioIndex;
    private int audioToDrop;
    private long nextSequence;
    private byte[] buffer = new byte[1 << 16];
    /** Over {@link #buffer}, made again only when it grows. */
    private ByteBuffer bytes = ByteBuffer.wrap(buffer);
    private int length;
    /** Bytes at the buffer's start of a {@code moof} waiting for its {@code mdat}; 0 when none waits. */
    private int moofBytes;
    private boolean headerSeen;

    public Mp4Continuation(final OutputStream out, final Mp4Prefix prefix) throws IOException
    {
        this.out = out;
        this.prefix = prefix;
        this.tracks = prefix.tracks();
        this.trackDefaults = Mp4Boxes.trackDefaultDurations(prefix.moov(), tracks);
        this.shift = new long[tracks.size()];
        this.shiftKnown = new boolean[tracks.size()];
        this.audioIndex = prefix.audio() == null ? -1 : tracks.indexOf(prefix.audio());
        this.audioToDrop = prefix.audioPacketsToDrop();
        this.nextSequence = prefix.nextSequence();
    }

    @Override
    public void write(final int b) throws IOException
    {
        write(new byte[] {(byte)b}, 0, 1);
    }

    @Override
    public void write(final byte[] from, final int offset, final int count) throws IOException
    {
        if (length + count > buffer.length)
        {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
            bytes = ByteBuffer.wrap(buffer);
        }
        System.arraycopy(from, offset, buffer, length, count);
        length += count;
        while (nextBox())
        {
            // one whole box handled each time
        }
    }

    /** Handles the box after a waiting {@code moof}, or the first, if it is whole. */
    private boolean nextBox() throws IOException
    {
        final int at = moofBytes;
        if (length - at < 8)
        {
            return false;
        }
        long size = Mp4Boxes.unsigned(bytes, at, 4);
        int headerBytes = 8;
        if (size == 1)
        {
            if (length - at < 16)
            {
                return false;
            }
            size = bytes.getLong(at + 8);
            headerBytes = 16;
        }
        if (size < headerBytes || size > Integer.MAX_VALUE - 16)
        {
            throw new IOException("the continued output has a box of " + size + " bytes");
        }
        if (length - at < size)
        {
            return false;
        }
        final int boxBytes = (int)size;
        if (Mp4Boxes.is(bytes, at, "mdat"))
        {
            if (moofBytes == 0)
            {
                throw new IOException("the continued output has media data outside a fragment");
            }
            writeFragment(boxBytes, headerBytes);
            consume(moofBytes + boxBytes);
            moofBytes = 0;
            return true;
        }
        if (moofBytes > 0)
        {
            throw new IOException("the continued output has a fragment without its media data");
        }
        if (Mp4Boxes.is(bytes, at, "moof"))
        {
            if (!headerSeen)
            {
                throw new IOException("the continued output has a fragment before its header");
            }
            moofBytes = boxBytes;
            return true;
        }
        if (Mp4Boxes.is(bytes, at, "moov"))
        {
            if (!Arrays.equals(buffer, 0, boxBytes, prefix.moov(), 0, prefix.moov().length))
            {
                throw new IOException("the continued output's header differs from the kept part's: the encoder's " +
                    "settings changed");
            }
            headerSeen = true;
        }
        // ftyp and moov are the kept part's already; the random access index (mfra) would point into the wrong file.
        consume(boxBytes);
        return true;
    }

    private void consume(final int bytes)
    {
        System.arraycopy(buffer, bytes, buffer, 0, length - bytes);
        length -= bytes;
    }

    /** The fragment at the buffer's start: its {@code moof}, then its {@code mdat} of {@code mdatBytes}. */
    private void writeFragment(final int mdatBytes, final int mdatHeaderBytes) throws IOException
    {
        bytes.putInt(Mp4Boxes.child(bytes, 8, moofBytes, "mfhd") + 12, (int)nextSequence++);
        final List<Mp4Boxes.TrackFragment> fragments = Mp4Boxes.trackFragments(bytes);
        // What leaves the fragment with dropped audio packets: [cutFrom, cutTo) of the moof and dataBytes of data.
        int cutFrom = 0;
        int cutTo = 0;
        long dataFrom = 0;
        long dataBytes = 0;
        for (final Mp4Boxes.TrackFragment fragment : fragments)
        {
            final int index = Mp4Boxes.indexOf(tracks, fragment.trackId());
            if (index < 0)
            {
                throw new IOException("the continued output has a track " + fragment.trackId() + " the kept part " +
                    "lacks");
            }
            long dropped = 0;
            boolean whole = false;
            if (index == audioIndex && audioToDrop > 0)
            {
                if (fragment.runs().size() != 1 || fragment.runs().get(0).dataOffsetAt() < 0)
                {
                    throw new IOException("the continued output's audio is not in one run with its data offset");
                }
                final Mp4Boxes.Run run = fragment.runs().get(0);
                final int drop = Math.min(audioToDrop, run.count());
                for (int i = 0; i < drop; i++)
                {
                    dropped += Mp4Boxes.duration(bytes, fragment, run, i, trackDefaults[index]);
                    dataBytes += Mp4Boxes.sampleSize(bytes, fragment, run, i);
                }
                dataFrom = bytes.getInt(run.dataOffsetAt());
                audioToDrop -= drop;
                whole = drop == run.count();
                if (whole)
                {
                    cutFrom = fragment.at();
                    cutTo = fragment.at() + fragment.size();
                }
                else
                {
                    cutFrom = run.entriesAt();
                    cutTo = run.entriesAt() + drop * run.entryBytes();
                    bytes.putInt(run.at() + 12, run.count() - drop);
                    bytes.putInt(run.at(), run.size() - (cutTo - cutFrom));
                    bytes.putInt(fragment.at(), fragment.size() - (cutTo - cutFrom));
                }
            }
            if (!whole)
            {
                final long firstKept = Mp4Boxes.decodeTime(bytes, fragment) + dropped;
                if (!shiftKnown[index])
                {
                    shift[index] = tracks.get(index).nextDts() - firstKept;
                    shiftKnown[index] = true;
                }
                Mp4Boxes.decodeTime(bytes, fragment, firstKept + shift[index]);
            }
        }
        if (cutTo == cutFrom)
        {
            out.write(buffer, 0, moofBytes + mdatBytes);
            return;
        }
        // Data offsets count from the moof's start: the cut in the moof moves them all, the cut data those after it.
        final int moofCut = cutTo - cutFrom;
        for (final Mp4Boxes.TrackFragment fragment : fragments)
        {
            for (final Mp4Boxes.Run run : fragment.runs())
            {
                if (run.dataOffsetAt() < 0 || run.at() >= cutFrom && run.at() < cutTo)
                {
                    continue;
                }
                final long offset = bytes.getInt(run.dataOffsetAt());
                bytes.putInt(run.dataOffsetAt(), (int)(offset - moofCut - (offset > dataFrom ? dataBytes : 0)));
            }
        }
        bytes.putInt(0, moofBytes - moofCut);
        if (mdatHeaderBytes == 8)
        {
            bytes.putInt(moofBytes, (int)(mdatBytes - dataBytes));
        }
        else
        {
            bytes.putLong(moofBytes + 8, mdatBytes - dataBytes);
        }
        out.write(buffer, 0, cutFrom);
        out.write(buffer, cutTo, moofBytes + mdatHeaderBytes - cutTo);
        final int dataAt = (int)dataFrom;
        out.write(buffer, moofBytes + mdatHeaderBytes, dataAt - moofBytes - mdatHeaderBytes);
        out.write(buffer, dataAt + (int)dataBytes, moofBytes + mdatBytes - dataAt - (int)dataBytes);
    }

    @Override
    public void flush() throws IOException
    {
        out.flush();
    }

    /** The muxer is done: a box it did not finish means a broken output. */
    @Override
    public void close() throws IOException
    {
        try
        {
            if (length > 0)
            {
                throw new IOException("the continued output ends inside a box (" + length + " bytes left)");
            }
        }
        finally
        {
            out.close();
        }
    }
}
