package io.framewire.server.net;

import io.framewire.codec.JsonMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finished jobs wait for their clients for --keep-results, on a manual clock, and across a restart. */
class KeptJobsTest
{
    @TempDir
    Path dir;

    @Test
    void aFinishedJobWaitsItsTimeAcrossARestartThenGoes() throws Exception
    {
        final AtomicLong nowMs = new AtomicLong(1_000_000);
        final KeptJobs jobs = new KeptJobs(dir, 600_000, nowMs::get);
        final KeptJobs.Kept kept = new KeptJobs.Kept(42);
        final String token = jobs.admit(kept);
        assertNull(jobs.find(token + "x"), "another token finds nothing");
        final Path output = Files.writeString(dir.resolve("job-42.mp4"), "the output");
        jobs.keep(kept, output, "ab".repeat(32), JsonMessages.MAPPER.createObjectNode().put("frames", 7));
        Files.delete(output); // the session deletes its output: the kept link holds the bytes
        assertTrue(kept.ended().isDone());

        nowMs.addAndGet(599_000);
        final KeptJobs restarted = new KeptJobs(dir, 600_000, nowMs::get);
        final KeptJobs.Kept found = restarted.find(token);
        assertNotNull(found, "a restarted server still has it");
        assertEquals(42, found.jobId());
        assertEquals("the output", Files.readString(found.output()));
        assertEquals(7, found.result().get("frames").asInt());

        nowMs.addAndGet(1_000);
        assertNull(restarted.find(token), "gone once its time is up");
        assertFalse(Files.exists(found.output()), "and its output with it");
        assertEquals(0, restarted.size());
    }
}
