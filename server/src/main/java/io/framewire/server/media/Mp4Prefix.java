package io.framewire.server.media;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole part of a fragmented MP4 output that a stopped server left: its header ({@code ftyp}, {@code moov})
 * and every {@code moof} whose {@code mdat} is complete, and where each track ends there. A job carried on from it
 * keeps these bytes and writes the fragments after them ({@link Mp4Continuation}).
 *
 * @param bytes        length of the whole part: the file is cut there.
 * @param moov         the header's {@code moov}, which the continuation's must equal.
 * @param nextSequence the sequence number of the next fragment.
 * @param tracks       where each track ends.
 */
public record Mp4Prefix(long bytes, byte[] moov, long nextSequence, List<TrackEnd> tracks)
{
    /**
     * Audio packets a continuation encodes before the splice and leaves out (see {@link #audioSkip}): an AAC encoder
     * needs that many to settle, and the packets after the splice then sound as an uninterrupted run's (docs/perf.md).
     */
    public static final int AUDIO_OVERLAP_PACKETS = 48;

    /**
     * @param handler     {@code vide} or {@code soun}.
     * @param nextDts     the decode time, in the track's timescale, of the sample after its last whole one.
     * @param samples     whole samples of the track in the part.
     * @param sampleDuration the longest of its samples, in the track's timescale: an audio packet's (the last
     *                       may be shorter).
     */
    public record TrackEnd(int trackId, String handler, long timescale, long nextDts, long samples,
        long sampleDuration)
    {
    }

    /** The video track's end, or null. */
    public TrackEnd video()
    {
        return track("vide");
    }

    /** The audio track's end, or null when the output has none. */
    public TrackEnd audio()
    {
        return track("soun");
    }

    private TrackEnd track(final String handler)
    {
        for (final TrackEnd track : tracks)
        {
            if (track.handler().equals(handler))
            {
                return track;
            }
        }
        return null;
    }

    /** The output frame number (the encoder's, one per frame at {@code frameRate}) of the first frame to come. */
    public long nextFrameNumber(final double frameRate)
    {
        final TrackEnd video = video();
        return Math.round(video.nextDts() * frameRate / video.timescale());
    }

    /**
     * Audio packets of a continuation to leave out: its encoder starts {@value #AUDIO_OVERLAP_PACKETS} packets before
     * the splice (or at the start), so that the first packet kept is not the encoder's first (which holds its priming
     * delay) and is encoded, as the packet it stands for was, by an encoder that has heard what came before.
     */
    public int audioPacketsToDrop()
    {
        final TrackEnd audio = audio();
        return audio == null ? 0 : (int)Math.min(AUDIO_OVERLAP_PACKETS, audio.samples());
    }

    /**
     * The input audio samples a continuation skips. FFmpeg's muxer counts audio time in samples (the track's
     * timescale is its sample rate), and an AAC packet at position {@code p} of the output holds the input's
     * samples {@code [(p - 1) * n, p * n)} ({@code n} samples a packet; the first packet is the encoder's priming),
     * so a continuation whose first kept packet is to be packet {@code p} starts at sample {@code (p - dropped) * n}.
     */
    public long audioSkip()
    {
        final TrackEnd audio = audio();
        return audio == null ? 0 : (audio.samples() - audioPacketsToDrop()) * audio.sampleDuration();
    }

    /**
     * Reads the whole part of {@code file}.
     *
     * @return null when the file holds no whole fragment, or is not laid out as this server writes MP4.
     */
    public static Mp4Prefix read(final Path file) throws IOException
    {
        try (InputStream in = Files.newInputStream(file))
        {
            return read(in);
        }
    }

    private static Mp4Prefix read(final InputStream in) throws IOException
    {
        final byte[] header = new byte[16];
        long position = 0;
        byte[] moov = null;
        List<TrackEnd> tracks = null;
        long[] trackDefaults = null;
        long nextSequence = 1;
        long whole = 0;
        byte[] moof = null;
        try
        {
            while (in.readNBytes(header, 0, 8) == 8)
            {
                long size = readUnsigned(header, 0, 4);
                final String type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
                int headerBytes = 8;
                if (size == 1)
                {
                    if (in.readNBytes(header, 8, 8) < 8)
                    {
                        break;
                    }
                    size = readUnsigned(header, 8, 8);
                    headerBytes = 16;
                }
                if (size < headerBytes)
                {
                    break; // 0 (to the end of the file) is not what the muxer writes while a job runs
                }
                if ("mdat".equals(type))
                {
                    in.skipNBytes(size - headerBytes);
                    if (moof == null || tracks == null)
                    {
                        return null; // not laid out as this server writes
                    }
                    final List<TrackEnd> after = Mp4Boxes.advance(tracks, moof, trackDefaults);
                    nextSequence = Mp4Boxes.sequence(ByteBuffer.wrap(moof)) + 1;
                    tracks = after;
                    moof = null;
                    position += size;
                    whole = position;
                    continue;
                }
                if (size > Mp4Boxes.MAX_HEADER_BOX_BYTES)
                {
                    break;
                }
                final byte[] box = new byte[(int)size];
                System.arraycopy(header, 0, box, 0, headerBytes);
                if (in.readNBytes(box, headerBytes, box.length - headerBytes) < box.length - headerBytes)
                {
                    break;
                }
                position += size;
                switch (type)
                {
                    case "ftyp" ->
                    {
                        // the rest of the header
                    }
                    case "moov" ->
                    {
                        moov = box;
                        tracks = Mp4Boxes.tracks(box);
                        trackDefaults = Mp4Boxes.trackDefaultDurations(box, tracks);
                    }
                    case "moof" -> moof = box;
                    default ->
                    {
                        // the random access index at the end of a finished file, or a box this server does not write
                    }
                }
                if (!"moof".equals(type) && moof != null)
                {
                    break; // a fragment without its media data
                }
            }
        }
        catch (final EOFException cut)
        {
            // inside an mdat: the fragments before it are whole
        }
        catch (final IOException | IndexOutOfBoundsException damaged)
        {
            if (moov == null || whole == 0)
            {
                return null;
            }
        }
        if (tracks == null || whole == 0)
        {
            return null;
        }
        final Mp4Prefix prefix = new Mp4Prefix(whole, moov, nextSequence, tracks);
        final TrackEnd audio = prefix.audio();
        if (prefix.video() == null || prefix.video().samples() == 0 ||
            audio != null && audio.samples() > 0 && audio.sampleDuration() <= 0)
        {
            return null;
        }
        return prefix;
    }

    private static long readUnsigned(final byte[] bytes, final int offset, final int length)
    {
        return Mp4Boxes.unsigned(ByteBuffer.wrap(bytes), offset, length);
    }
}
