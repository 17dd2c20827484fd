package io.framewire.server.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameJournalTest
{
    @TempDir
    Path dataDir;

    @Test
    void readsBackWhatWasAppendedAndDeletesFinishedSegments()
    {
        final int frameBytes = 1280 * 720 * 3;
        final int frames = 20;
        final Random random = new Random(7);
        final byte[][] expected = new byte[frames][frameBytes];
        final long[] index = new long[frames];
        try (BytePointer memory = new BytePointer(frameBytes);
            FrameJournal journal = new FrameJournal(dataDir, 42, 4, frameBytes))
        {
            final UnsafeBuffer slot = new UnsafeBuffer(memory.address(), frameBytes);
            for (int frame = 0; frame < frames; frame++)
            {
                random.nextBytes(expected[frame]);
                slot.putBytes(0, expected[frame]);
                // The encoder trails by 6 frames: segments whose frames are all encoded go away.
                index[frame] = journal.append(frame, memory.address(), frameBytes);
                while (journal.prepare(frame + 1, Math.max(0, frame - 6)) > 0)
                {
                    // pages touched and segments opened or deleted, as the journal thread does between frames
                }
            }
            assertEquals((long)frames * frameBytes, journal.bytesAppended());
            assertTrue(journal.liveSegments() <= 3, "live segments: " + journal.liveSegments());
            final File[] segmentDirs = journal.directory().listFiles();
            assertTrue(segmentDirs != null && segmentDirs.length <= 3, "segments on disk: " + segmentDirs.length);

            final byte[] actual = new byte[frameBytes];
            for (int frame = frames - 1; frame >= 14; frame--)
            {
                slot.setMemory(0, frameBytes, (byte)0);
                journal.read(frame, index[frame], slot, frameBytes);
                slot.getBytes(0, actual);
                assertArrayEquals(expected[frame], actual, "frame " + frame);
            }
            assertEquals(6, journal.reads());
            assertThrows(IllegalStateException.class, () -> journal.read(0, index[0], slot, frameBytes),
                "frame 0 was encoded; its segment is deleted");
            assertThrows(IllegalStateException.class, () -> journal.read(18, index[19], slot, frameBytes),
                "an index naming another frame is refused");
            assertTrue(journal.directory().isDirectory());
        }
        assertFalse(dataDir.resolve("job-42.journal").toFile().exists(), "closed journal is deleted");
    }
}
