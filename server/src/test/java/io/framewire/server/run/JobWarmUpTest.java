package io.framewire.server.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.List;

/** The warm-up runs real FFmpeg and Chronicle work in the data directory and leaves nothing behind there. */
class JobWarmUpTest
{
    @TempDir
    Path dataDir;

    @Test
    void leavesTheDataDirectoryAsItFoundIt() throws Exception
    {
        Files.writeString(dataDir.resolve("kept.txt"), "a file that was there before");
        assertTrue(JobWarmUp.run(dataDir, "h264"), "warm-up for H.264 output");
        assertTrue(JobWarmUp.run(dataDir, "vp9"), "warm-up for VP9 output");
        try (Stream<Path> left = Files.list(dataDir))
        {
            assertEquals(List.of(dataDir.resolve("kept.txt")), left.toList());
        }
    }
}
