package io.framewire.server.media;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is whole of a fragmented MP4 cut anywhere, as a killed server leaves its output: the file is FFmpeg's, written
 * with the muxer flags the server uses (a key frame, and a fragment, every 50 frames), with AAC sound.
 */
class Mp4PrefixTest
{
    @TempDir
    static Path dir;
    private static Path file;
    /** Where each fragment ({@code moof}) starts, and where the file ends. */
    private static final List<Long> FRAGMENT_STARTS = new ArrayList<>();

    @BeforeAll
    static void writeFile() throws Exception
    {
        file = dir.resolve("fragmented.mp4");
        final Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
            "testsrc2=size=320x240:rate=25:duration=6", "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
            "-c:v", "libx264", "-g", "50", "-bf", "0", "-c:a", "aac", "-movflags",
            "frag_keyframe+empty_moov+default_base_moof", "-avoid_negative_ts", "disabled", file.toString())
            .inheritIO().start();
        assertEquals(0, ffmpeg.waitFor());
        final byte[] bytes = Files.readAllBytes(file);
        int at = 0;
        while (at + 8 <= bytes.length)
        {
            final String type = new String(bytes, at + 4, 4, StandardCharsets.ISO_8859_1);
            if ("moof".equals(type))
            {
                FRAGMENT_STARTS.add((long)at);
            }
            if ("mfra".equals(type))
            {
                break;
            }
            at += (int)Mp4Boxes.unsigned(ByteBuffer.wrap(bytes), at, 4);
        }
        FRAGMENT_STARTS.add((long)at);
        assertEquals(4, FRAGMENT_STARTS.size(), "fragments at frames 0, 50 and 100, and the end: " + FRAGMENT_STARTS);
    }

    @Test
    void aFileCutBeforeItsFirstFragmentEndsHasNothingWhole() throws Exception
    {
        assertNull(Mp4Prefix.read(cut(100))); // inside the header
        assertNull(Mp4Prefix.read(cut(FRAGMENT_STARTS.get(0)))); // the header only
        assertNull(Mp4Prefix.read(cut(FRAGMENT_STARTS.get(1) - 1))); // the first fragment's last byte missing
    }

    @Test
    void theWholeFragmentsOfAFileCutAnywhereAreKept() throws Exception
    {
        for (int fragments = 1; fragments <= 3; fragments++)
        {
            final long end = FRAGMENT_STARTS.get(fragments);
            for (final long at : new long[] {end, end + 7, end + 500, fragments < 3 ?
                FRAGMENT_STARTS.get(fragments + 1) - 1 : Files.size(file)})
            {
                final Mp4Prefix prefix = Mp4Prefix.read(cut(at));
                assertNotNull(prefix, "cut at " + at);
                assertEquals(end, prefix.bytes(), "cut at " + at);
                assertEquals(fragments + 1, prefix.nextSequence());
                final long frames = Math.min(150, 50L * fragments);
                assertEquals(frames, prefix.video().samples());
                assertEquals(frames, prefix.nextFrameNumber(25));
                final Mp4Prefix.TrackEnd audio = prefix.audio();
                assertEquals(44_100, audio.timescale());
                assertEquals(1024, audio.sampleDuration());
                if (fragments < 3)
                {
                    assertEquals(audio.samples() * 1024, audio.nextDts(), "AAC packets of 1024 samples, from 0");
                }
                // The audio runs with the video: within a fragment's worth of it.
                assertTrue(Math.abs(audio.nextDts() / 44_100.0 - frames / 25.0) < 2.1, audio.toString());
                assertEquals(Mp4Prefix.AUDIO_OVERLAP_PACKETS, prefix.audioPacketsToDrop());
                assertEquals((audio.samples() - Mp4Prefix.AUDIO_OVERLAP_PACKETS) * 1024, prefix.audioSkip());
            }
        }
    }

    private static Path cut(final long bytes) throws Exception
    {
        final Path copy = dir.resolve("cut-" + bytes + ".mp4");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE))
        {
            channel.truncate(bytes);
        }
        return copy;
    }
}
