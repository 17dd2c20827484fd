package io.framewire.server.net;

import io.framewire.codec.Handshake;
import io.framewire.codec.JsonMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finished jobs wait for their clients for --keep-results, on a manual clock, and across a restart; a job whose upload
 * broke off waits for --abandoned-after, then its upload and record are deleted.
 */
class KeptJobsTest
{
    @TempDir
    Path dir;

    @Test
    void aFinishedJobWaitsItsTimeAcrossARestartThenGoes() throws Exception
    {
        final AtomicLong nowMs = new AtomicLong(1_000_000);
        final KeptJobs jobs = new KeptJobs(dir, 600_000, 3_600_000, nowMs::get);
        final KeptJobs.Kept kept = new KeptJobs.Kept(42);
        final String token = jobs.admit(kept);
        assertNull(jobs.find(token + "x"), "another token finds nothing");
        final Path output = Files.writeString(dir.resolve("job-42.mp4"), "the output");
        kept.rewrittenFrom(4); // carried on after a crash from its byte 4
        jobs.keep(kept, output, "ab".repeat(32), JsonMessages.MAPPER.createObjectNode().put("frames", 7));
        Files.delete(output); // the session deletes its output: the kept link holds the bytes
        assertTrue(kept.ended().isDone());

        nowMs.addAndGet(599_000);
        final KeptJobs restarted = new KeptJobs(dir, 600_000, 3_600_000, nowMs::get);
        final KeptJobs.Kept found = restarted.find(token);
        assertNotNull(found, "a restarted server still has it");
        assertEquals(42, found.jobId());
        assertEquals("the output", Files.readString(found.output()));
        assertEquals(7, found.result().get("frames").asInt());
        assertEquals(4, found.rewrittenFrom(), "a client holding more of an earlier run drops it");

        nowMs.addAndGet(1_000);
        assertNull(restarted.find(token), "gone once its time is up");
        assertFalse(Files.exists(found.output()), "and its output with it");
        assertEquals(0, restarted.size());
    }

    @Test
    void whereAnOutputWasWrittenAgainOutlivesRestarts() throws Exception
    {
        final Handshake handshake = new Handshake(Handshake.PROTOCOL_VERSION, "blur", "file", "in.mp4", 10, Map.of(),
            "h264", "mp4", 0, "");
        new JobRecord(9, "00".repeat(32), handshake, true).rewrittenFrom(5000).write(dir);
        Files.writeString(JobRecord.upload(dir, 9), "ten bytes.");
        final JobRecord found = JobRecord.recoverable(dir).get(0);
        assertEquals(5000, found.outputRewrittenFrom());
        assertEquals(3000, found.rewrittenFrom(3000).outputRewrittenFrom(), "the earliest byte counts");
        assertEquals(5000, found.rewrittenFrom(8000).outputRewrittenFrom());
        assertEquals(Long.MAX_VALUE, new JobRecord(9, "00".repeat(32), handshake, true).outputRewrittenFrom());
    }

    @Test
    void aBrokenOffUploadWaitsForItsClientThenIsAbandoned() throws Exception
    {
        final AtomicLong nowMs = new AtomicLong(5_000_000);
        final KeptJobs jobs = new KeptJobs(dir, 600_000, 3_600_000, nowMs::get);
        final KeptJobs.Kept kept = new KeptJobs.Kept(7);
        final String token = jobs.admit(kept);
        final JobRecord record = new JobRecord(7, kept.tokenHash(), new Handshake(Handshake.PROTOCOL_VERSION, "blur",
            "file", "in.mp4", 1000, Map.of(), "h264", "mp4", 0, ""), false);
        record.write(dir);
        final Path upload = Files.writeString(JobRecord.upload(dir, 7), "first 30 bytes of the upload.");
        jobs.awaitUpload(kept, record, nowMs.get());

        nowMs.addAndGet(3_599_000);
        jobs.sweep();
        assertTrue(Files.exists(upload), "an hour less a second: still waiting");
        final KeptJobs.Kept found = jobs.find(token);
        assertNotNull(found);
        assertEquals(record, jobs.claimUpload(found), "a resume takes the upload up");
        assertNull(jobs.claimUpload(found), "once");
        jobs.awaitUpload(found, record, nowMs.get()); // that connection broke too

        // A server started later finds it by its files, dated by the upload's last byte.
        Files.setLastModifiedTime(upload, FileTime.fromMillis(nowMs.get()));
        final KeptJobs restarted = new KeptJobs(dir, 600_000, 3_600_000, nowMs::get);
        for (final JobRecord left : JobRecord.recoverable(dir))
        {
            restarted.awaitUpload(left);
        }
        assertNotNull(restarted.find(token), "a restarted server waits for it too");
        nowMs.addAndGet(3_600_000);
        restarted.sweep();
        assertNull(restarted.find(token), "abandoned after an hour");
        assertFalse(Files.exists(upload), "its upload deleted");
        assertFalse(Files.exists(JobRecord.file(dir, 7)), "and its record");
    }
}
