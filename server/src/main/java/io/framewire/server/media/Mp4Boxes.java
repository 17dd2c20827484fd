package io.framewire.server.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading the boxes of a fragmented MP4 (ISO/IEC 14496-12) as FFmpeg's muxer writes them with
 * {@code frag_keyframe+empty_moov+default_base_moof}: the tracks of the {@code moov}, and each {@code moof}'s track
 * fragments, their runs and samples.
 */
final class Mp4Boxes
{
    /** Largest header box read whole: a {@code moov} or {@code moof} of this server's outputs is a few KiB. */
    static final int MAX_HEADER_BOX_BYTES = 16 << 20;

    static final int TFHD_BASE_DATA_OFFSET = 0x1;
    static final int TFHD_SAMPLE_DESCRIPTION = 0x2;
    static final int TFHD_DEFAULT_DURATION = 0x8;
    static final int TFHD_DEFAULT_SIZE = 0x10;
    static final int TFHD_DEFAULT_FLAGS = 0x20;
    static final int TRUN_DATA_OFFSET = 0x1;
    static final int TRUN_FIRST_SAMPLE_FLAGS = 0x4;
    static final int TRUN_DURATION = 0x100;
    static final int TRUN_SIZE = 0x200;
    static final int TRUN_FLAGS = 0x400;
    static final int TRUN_COMPOSITION_OFFSET = 0x800;

    private Mp4Boxes()
    {
    }

    /**
     * One track's run of samples in a fragment.
     *
     * @param at           the {@code trun} box's offset in the {@code moof}.
     * @param dataOffsetAt where its data offset is, or -1.
     * @param entriesAt    where its first sample's entry is.
     * @param entryBytes   bytes of one sample's entry.
     */
    record Run(int at, int size, int flags, int count, int dataOffsetAt, int entriesAt, int entryBytes)
    {
    }

    /**
     * One track's part of a fragment ({@code traf}).
     *
     * @param tfdtAt the {@code tfdt} box's offset in the {@code moof}.
     */
    record TrackFragment(int at, int size, int trackId, long defaultDuration, long defaultSize, int tfdtAt,
        List<Run> runs)
    {
    }

    static long unsigned(final ByteBuffer bytes, final int at, final int length)
    {
        long value = 0;
        for (int i = 0; i < length; i++)
        {
            value = value << 8 | bytes.get(at + i) & 0xFF;
        }
        return value;
    }

    static int size(final ByteBuffer bytes, final int at)
    {
        return bytes.getInt(at);
    }

    static boolean is(final ByteBuffer bytes, final int at, final String type)
    {
        for (int i = 0; i < 4; i++)
        {
            if (bytes.get(at + 4 + i) != (byte)type.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** The offset of the first box of {@code type} among the boxes in {@code [from, to)}, or -1. */
    static int child(final ByteBuffer bytes, final int from, final int to, final String type)
    {
        int at = from;
        while (at + 8 <= to)
        {
            final int size = size(bytes, at);
            if (size < 8 || at + size > to)
            {
                return -1;
            }
            if (is(bytes, at, type))
            {
                return at;
            }
            at += size;
        }
        return -1;
    }

    /** The tracks a {@code moov} declares, in its order, each ending where it starts. */
    static List<Mp4Prefix.TrackEnd> tracks(final byte[] moov) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(moov);
        final List<Mp4Prefix.TrackEnd> tracks = new ArrayList<>();
        int at = 8;
        while (at + 8 <= moov.length)
        {
            final int size = size(bytes, at);
            if (size < 8 || at + size > moov.length)
            {
                throw new IOException("damaged moov");
            }
            if (is(bytes, at, "trak"))
            {
                final int tkhd = required(bytes, at + 8, at + size, "tkhd");
                final int trackId = bytes.getInt(tkhd + (bytes.get(tkhd + 8) == 1 ? 28 : 20));
                final int mdia = required(bytes, at + 8, at + size, "mdia");
                final int mdhd = required(bytes, mdia + 8, mdia + size(bytes, mdia), "mdhd");
                final long timescale = unsigned(bytes, mdhd + (bytes.get(mdhd + 8) == 1 ? 28 : 20), 4);
                final int hdlr = required(bytes, mdia + 8, mdia + size(bytes, mdia), "hdlr");
                final String handler = new String(moov, hdlr + 16, 4, StandardCharsets.ISO_8859_1);
                tracks.add(new Mp4Prefix.TrackEnd(trackId, handler, timescale, 0, 0, 0));
            }
            at += size;
        }
        return tracks;
    }

    /** Each track's default sample duration from the {@code moov}'s {@code trex} boxes, in the tracks' order. */
    static long[] trackDefaultDurations(final byte[] moov, final List<Mp4Prefix.TrackEnd> tracks) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(moov);
        final long[] durations = new long[tracks.size()];
        final int mvex = required(bytes, 8, moov.length, "mvex");
        int at = mvex + 8;
        while (at + 8 <= mvex + size(bytes, mvex))
        {
            if (is(bytes, at, "trex"))
            {
                final int index = indexOf(tracks, bytes.getInt(at + 12));
                if (index >= 0)
                {
                    durations[index] = unsigned(bytes, at + 20, 4);
                }
            }
            at += size(bytes, at);
        }
        return durations;
    }

    static int indexOf(final List<Mp4Prefix.TrackEnd> tracks, final int trackId)
    {
        for (int i = 0; i < tracks.size(); i++)
        {
            if (tracks.get(i).trackId() == trackId)
            {
                return i;
            }
        }
        return -1;
    }

    /** A {@code moof}'s sequence number. */
    static long sequence(final ByteBuffer moof) throws IOException
    {
        final int mfhd = required(moof, 8, size(moof, 0), "mfhd");
        return unsigned(moof, mfhd + 12, 4);
    }

    /** The track fragments of a {@code moof} at offset 0 of {@code moof}. */
    static List<TrackFragment> trackFragments(final ByteBuffer moof) throws IOException
    {
        final List<TrackFragment> fragments = new ArrayList<>();
        final int end = size(moof, 0);
        int at = 8;
        while (at + 8 <= end)
        {
            final int size = size(moof, at);
            if (size < 8 || at + size > end)
            {
                throw new IOException("damaged moof");
            }
            if (is(moof, at, "traf"))
            {
                fragments.add(trackFragment(moof, at, size));
            }
            at += size;
        }
        return fragments;
    }

    private static TrackFragment trackFragment(final ByteBuffer moof, final int traf, final int trafSize)
        throws IOException
    {
        final int tfhd = required(moof, traf + 8, traf + trafSize, "tfhd");
        final int flags = moof.getInt(tfhd + 8) & 0xFFFFFF;
        if ((flags & TFHD_BASE_DATA_OFFSET) != 0)
        {
            throw new IOException("a track fragment with a base data offset");
        }
        final int trackId = moof.getInt(tfhd + 12);
        int field = tfhd + 16;
        field += (flags & TFHD_SAMPLE_DESCRIPTION) != 0 ? 4 : 0;
        final long defaultDuration = (flags & TFHD_DEFAULT_DURATION) != 0 ? unsigned(moof, field, 4) : -1;
        field += (flags & TFHD_DEFAULT_DURATION) != 0 ? 4 : 0;
        final long defaultSize = (flags & TFHD_DEFAULT_SIZE) != 0 ? unsigned(moof, field, 4) : -1;
        final int tfdt = required(moof, traf + 8, traf + trafSize, "tfdt");
        final List<Run> runs = new ArrayList<>();
        int at = traf + 8;
        while (at + 8 <= traf + trafSize)
        {
            final int size = size(moof, at);
            if (size < 8 || at + size > traf + trafSize)
            {
                throw new IOException("damaged traf");
            }
            if (is(moof, at, "trun"))
            {
                final int runFlags = moof.getInt(at + 8) & 0xFFFFFF;
                final int count = moof.getInt(at + 12);
                int next = at + 16;
                final int dataOffsetAt = (runFlags & TRUN_DATA_OFFSET) != 0 ? next : -1;
                next += dataOffsetAt >= 0 ? 4 : 0;
                next += (runFlags & TRUN_FIRST_SAMPLE_FLAGS) != 0 ? 4 : 0;
                final int entryBytes = 4 * Integer.bitCount(runFlags &
                    (TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | TRUN_COMPOSITION_OFFSET));
                if (next + (long)count * entryBytes > at + size)
                {
                    throw new IOException("damaged trun");
                }
                runs.add(new Run(at, size, runFlags, count, dataOffsetAt, next, entryBytes));
            }
            at += size;
        }
        return new TrackFragment(traf, trafSize, trackId, defaultDuration, defaultSize, tfdt, runs);
    }

    static long decodeTime(final ByteBuffer moof, final TrackFragment fragment)
    {
        final int tfdt = fragment.tfdtAt();
        return moof.get(tfdt + 8) == 1 ? moof.getLong(tfdt + 12) : unsigned(moof, tfdt + 12, 4);
    }

    static void decodeTime(final ByteBuffer moof, final TrackFragment fragment, final long time) throws IOException
    {
        final int tfdt = fragment.tfdtAt();
        if (moof.get(tfdt + 8) == 1)
        {
            moof.putLong(tfdt + 12, time);
        }
        else if (time >= 0 && time <= 0xFFFF_FFFFL)
        {
            moof.putInt(tfdt + 12, (int)time);
        }
        else
        {
            throw new IOException("a decode time past a 32-bit tfdt");
        }
    }

    /** The duration of sample {@code i} of {@code run}. */
    static long duration(final ByteBuffer moof, final TrackFragment fragment, final Run run, final int i,
        final long trackDefault)
    {
        if ((run.flags() & TRUN_DURATION) != 0)
        {
            return unsigned(moof, run.entriesAt() + i * run.entryBytes(), 4);
        }
        return fragment.defaultDuration() >= 0 ? fragment.defaultDuration() : trackDefault;
    }

    /** The size of sample {@code i} of {@code run}, in bytes. */
    static long sampleSize(final ByteBuffer moof, final TrackFragment fragment, final Run run, final int i)
    {
        if ((run.flags() & TRUN_SIZE) != 0)
        {
            final int offset = (run.flags() & TRUN_DURATION) != 0 ? 4 : 0;
            return unsigned(moof, run.entriesAt() + i * run.entryBytes() + offset, 4);
        }
        return fragment.defaultSize();
    }

    /** The tracks' ends after the fragment {@code moof}. */
    static List<Mp4Prefix.TrackEnd> advance(final List<Mp4Prefix.TrackEnd> tracks, final byte[] moofBytes,
        final long[] trackDefaults) throws IOException
    {
        final ByteBuffer moof = ByteBuffer.wrap(moofBytes);
        final List<Mp4Prefix.TrackEnd> after = new ArrayList<>(tracks);
        for (final TrackFragment fragment : trackFragments(moof))
        {
            final int index = indexOf(tracks, fragment.trackId());
            if (index < 0)
            {
                throw new IOException("a fragment of track " + fragment.trackId() + ", which the moov lacks");
            }
            final Mp4Prefix.TrackEnd track = after.get(index);
            long time = decodeTime(moof, fragment);
            long samples = track.samples();
            long longest = track.sampleDuration();
            for (final Run run : fragment.runs())
            {
                for (int i = 0; i < run.count(); i++)
                {
                    final long duration = duration(moof, fragment, run, i, trackDefaults[index]);
                    longest = Math.max(longest, duration);
                    time += duration;
                }
                samples += run.count();
            }
            after.set(index, new Mp4Prefix.TrackEnd(track.trackId(), track.handler(), track.timescale(), time,
                samples, longest));
        }
        return after;
    }

    private static int required(final ByteBuffer bytes, final int from, final int to, final String type)
        throws IOException
    {
        final int at = child(bytes, from, to, type);
        if (at < 0)
        {
            throw new IOException("no " + type + " box");
        }
        return at;
    }
}
