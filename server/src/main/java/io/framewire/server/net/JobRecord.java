package io.framewire.server.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.ControlMessage;
import io.framewire.codec.Handshake;
import io.framewire.codec.JsonMessages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restarted server needs to carry a job on, in {@code DATA_DIR/job-ID.json} beside its upload: the
 * handshake (without the client's token), the hash of the resume token, whether the upload is complete, and from which
 * byte the output was written again, if it was (a job carried on from what a stopped server left). Written
 * at accept and when the upload completes (to a new file, then moved over the old one), removed when the job ends.
 */
public record JobRecord(long jobId, String resumeTokenHash, Handshake handshake, boolean uploaded,
    long outputRewrittenFrom)
{
    /** A new job's, or its upload's: its output not yet written again from any byte. */
    public JobRecord(final long jobId, final String resumeTokenHash, final Handshake handshake, final boolean uploaded)
    {
        this(jobId, resumeTokenHash, handshake, uploaded, Long.MAX_VALUE);
    }

    /** The record of a job whose output goes on, from a server before this one's, at {@code offset} (or before). */
    JobRecord rewrittenFrom(final long offset)
    {
        return new JobRecord(jobId, resumeTokenHash, handshake, uploaded, Math.min(outputRewrittenFrom, offset));
    }

    public static Path file(final Path dataDir, final long jobId)
    {
        return dataDir.resolve("job-" + jobId + ".json");
    }

    public static Path upload(final Path dataDir, final long jobId)
    {
        return dataDir.resolve("job-" + jobId + ".upload");
    }

    /**
     * The job's output while it is made (an MP4, WebM or MKV whatever its name); what a stopped server left of it is
     * carried on from its whole fragments.
     */
    public static Path output(final Path dataDir, final long jobId)
    {
        return dataDir.resolve("job-" + jobId + ".mp4");
    }

    public void write(final Path dataDir) throws IOException
    {
        final Handshake withoutToken = new Handshake(handshake.version(), handshake.processing(),
            handshake.protocol(), handshake.fileName(), handshake.fileSize(), handshake.params(), handshake.codec(),
            handshake.container(), handshake.bitrateKbps(), "");
        final ObjectNode node = JsonMessages.MAPPER.createObjectNode()
            .put("job", jobId)
            .put("resume_token_sha256", resumeTokenHash)
            .put("uploaded", uploaded);
        if (outputRewrittenFrom < Long.MAX_VALUE)
        {
            // What a client may hold past this byte is another run's; kept across more restarts than one.
            node.put("output_rewritten_from", outputRewrittenFrom);
        }
        node.set("handshake", JsonMessages.MAPPER.readTree(JsonMessages.encode(withoutToken)));
        PrivateFiles.replaceDurably(file(dataDir, jobId), JsonMessages.MAPPER.writeValueAsBytes(node));
    }

    /**
     * The jobs a server that stopped without finishing them left: a record and its upload, complete (of the size the
     * handshake gave; the job is run again) or not (it waits for its client to send the rest). Records that are
     * not readable, or have no upload, are left out (the caller removes them with the rest).
     */
    public static List<JobRecord> recoverable(final Path dataDir) throws IOException
    {
        final List<JobRecord> records = new ArrayList<>();
        try (var files = Files.newDirectoryStream(dataDir, "job-*.json"))
        {
            for (final Path file : files)
            {
                try
                {
                    final JsonNode node = JsonMessages.MAPPER.readTree(file.toFile());
                    final byte[] handshakeJson = JsonMessages.MAPPER.writeValueAsBytes(node.get("handshake"));
                    final ControlMessage message = JsonMessages.decode(handshakeJson, 0, handshakeJson.length);
                    final JobRecord record = new JobRecord(node.get("job").asLong(),
                        node.get("resume_token_sha256").asText(), (Handshake)message, node.get("uploaded").asBoolean(),
                        node.path("output_rewritten_from").asLong(Long.MAX_VALUE));
                    if (Files.exists(KeptJobs.keptRecord(dataDir, record.jobId())))
                    {
                        continue; // it ended, and its output is kept: nothing to carry on
                    }
                    final Path upload = upload(dataDir, record.jobId());
                    final long size = Files.isRegularFile(upload) ? Files.size(upload) : -1;
                    if (record.uploaded() ? size == record.handshake().fileSize() :
                        size >= 0 && size <= record.handshake().fileSize())
                    {
                        records.add(record);
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // not a record this server can read: removed with the other leftovers
                }
            }
        }
        return records;
    }
}
