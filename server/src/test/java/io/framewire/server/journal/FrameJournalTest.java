package io.framewire.server.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameJournalTest
{
    @TempDir
    Path dataDir;

    @Test
    void readsBackEveryRecordInOrderAndHoldsNoPixels()
    {
        final int frameBytes = 3840 * 2160 * 3;
        final List<String> read = new ArrayList<>();
        try (FrameJournal journal = new FrameJournal(dataDir, 42))
        {
            for (int frame = 0; frame < 40; frame++)
            {
                journal.appendFrame(frame, frame * 40_000L, 1_000_000L + frame, frameBytes);
                if (frame % 16 == 15)
                {
                    journal.appendEncoded(frame - 3);
                }
            }
            assertEquals(42, journal.records());
            assertTrue(journal.bytesAppended() < 42 * 64, "records, not 25 MB frames: " + journal.bytesAppended());
            final long count = journal.read(new FrameJournal.RecordHandler()
            {
                @Override
                public void onFrame(final long frameNumber, final long timestampUs, final long decodedAtNs,
                    final int taskBytes)
                {
                    read.add("frame " + frameNumber + " " + timestampUs + " " + decodedAtNs + " " + taskBytes);
                }

                @Override
                public void onEncoded(final long encodedFrames)
                {
                    read.add("encoded " + encodedFrames);
                }
            });
            assertEquals(42, count);
            assertEquals("frame 0 0 1000000 " + frameBytes, read.get(0));
            assertEquals("frame 15 600000 1000015 " + frameBytes, read.get(15));
            assertEquals("encoded 12", read.get(16));
            assertEquals("encoded 28", read.get(33));
            assertEquals("frame 39 1560000 1000039 " + frameBytes, read.get(41));
            assertTrue(journal.directory().isDirectory());
        }
        assertFalse(dataDir.resolve("job-42.journal").toFile().exists(), "a closed journal is deleted");
    }
}
