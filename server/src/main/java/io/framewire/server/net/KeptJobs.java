package io.framewire.server.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.JsonMessages;
import io.framewire.codec.ErrorCode;
import io.framewire.server.access.Secrets;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs whose clients may take them up again with their resume token (random, 128 bits; only its hash is kept): a
 * running job, to be attached to its output as it is written, and a finished one, whose output and result wait
 * under {@code DATA_DIR/kept/} (a link to the output and a JSON record) for {@code --keep-results}, then are deleted;
 * a restarted server takes them up again; and a job whose upload broke off, whose record and partial upload wait for
 * its client to send the rest for {@code --abandoned-after}. A job goes on when its client's connection breaks; only
 * a {@code cancel} stops it.
 */
public final class KeptJobs
{
    private static final Logger LOG = LoggerFactory.getLogger(KeptJobs.class);
    private static final int TOKEN_BITS = 128;

    /** One job: its output streamer while it runs; its kept output and result, or its error, once it ended. */
    public static final class Kept
    {
        private final long jobId;
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private volatile String tokenHash;
        private volatile OutputStreamer streamer;
        private volatile Path output;
        private volatile long size;
        private volatile String sha256;
        private volatile ObjectNode result;
        private volatile ErrorCode errorCode;
        private volatile String errorMessage;
        private volatile long keepUntilMs = Long.MAX_VALUE;
        /** The record of a job whose upload broke off, until its client sends the rest or it is abandoned. */
        private JobRecord waitingUpload;
        private volatile boolean uploadComplete;
        /** Closes the connection the upload comes on, so that a client resuming it takes it over. */
        private volatile Runnable uploadConnection = () -> { };
        /** The output's bytes from here on were written again (the job carried on from its whole fragments). */
        private volatile long rewrittenFrom = Long.MAX_VALUE;

        Kept(final long jobId)
        {
            this.jobId = jobId;
        }

        public long jobId()
        {
            return jobId;
        }

        /** SHA-256 of its resume token, hex: what a restarted server finds it by. */
        String tokenHash()
        {
            return tokenHash;
        }

        boolean uploadComplete()
        {
            return uploadComplete;
        }

        /** Where the output may differ from what a client had of it before: its end, unless carried on. */
        long rewrittenFrom()
        {
            return rewrittenFrom;
        }

        void rewrittenFrom(final long offset)
        {
            rewrittenFrom = Math.min(rewrittenFrom, offset);
        }

        void uploadComplete(final boolean complete)
        {
            uploadComplete = complete;
        }

        void uploadConnection(final Runnable close)
        {
            uploadConnection = close;
        }

        /** Lets the connection the upload came on go: the session on it suspends the job. */
        void breakOffUpload()
        {
            uploadConnection.run();
        }

        OutputStreamer streamer()
        {
            return streamer;
        }

        void streamer(final OutputStreamer streamer)
        {
            this.streamer = streamer;
        }

        /** Completes once the job ended, delivered to a client or kept. */
        CompletableFuture<Void> ended()
        {
            return ended;
        }

        Path output()
        {
            return output;
        }

        long size()
        {
            return size;
        }

        String sha256()
        {
            return sha256;
        }

        ObjectNode result()
        {
            return result;
        }

        ErrorCode errorCode()
        {
            return errorCode;
        }

        String errorMessage()
        {
            return errorMessage;
        }
    }

    /** Jobs waiting for the rest of their upload beyond this many: the one that waited longest is dropped. */
    static final int MAX_WAITING_UPLOADS = 64;

    private final Path dataDir;
    private final Path dir;
    private final long keepMs;
    private final long abandonedMs;
    private final EpochClock clock;
    private final Map<String, Kept> byTokenHash = new ConcurrentHashMap<>();

    private static Path directory(final Path dataDir)
    {
        return dataDir.resolve("kept");
    }

    /** Where a finished job's result is kept, while it is. */
    static Path keptRecord(final Path dataDir, final long jobId)
    {
        return directory(dataDir).resolve("job-" + jobId + ".json");
    }

    /**
     * @param keepMs      how long a finished job's output waits for its client.
     * @param abandonedMs how long a job whose upload broke off waits for its client to send the rest.
     */
    public KeptJobs(final Path dataDir, final long keepMs, final long abandonedMs, final EpochClock clock)
        throws IOException
    {
        this.dataDir = dataDir;
        this.dir = directory(dataDir);
        this.keepMs = keepMs;
        this.abandonedMs = abandonedMs;
        this.clock = clock;
        Files.createDirectories(dir);
        reload();
    }

    /** Finished jobs an earlier server kept and whose time is not up: their clients may still take them. */
    private void reload() throws IOException
    {
        try (var files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                final String name = file.getFileName().toString();
                if (!name.endsWith(".json"))
                {
                    continue;
                }
                final Path output = dir.resolve(name.replace(".json", ".out"));
                try
                {
                    final JsonNode node = JsonMessages.MAPPER.readTree(file.toFile());
                    final Kept kept = new Kept(node.get("job").asLong());
                    kept.output = output;
                    kept.size = node.get("size").asLong();
                    kept.sha256 = node.get("sha256").asText();
                    kept.result = (ObjectNode)node.get("result");
                    kept.keepUntilMs = node.get("keep_until_ms").asLong();
                    kept.rewrittenFrom = node.path("output_rewritten_from").asLong(Long.MAX_VALUE);
                    kept.uploadComplete = true;
                    kept.ended.complete(null);
                    if (Files.size(output) == kept.size && clock.time() < kept.keepUntilMs)
                    {
                        readmit(kept, node.get("resume_token_sha256").asText());
                        continue;
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    LOG.warn("cannot read {} ({}); removed", file, ex.toString());
                }
                Files.deleteIfExists(file);
                Files.deleteIfExists(output);
            }
        }
        // Outputs without their record are of no use.
        try (var files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                if (file.toString().endsWith(".out") && !Files.exists(Path.of(file.toString()
                    .replace(".out", ".json"))))
                {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** A new job: its resume token, which only its client is told. */
    public String admit(final Kept kept)
    {
        sweep();
        final String token = Secrets.newSecret("fwr_", TOKEN_BITS);
        readmit(kept, HexFormat.of().formatHex(Secrets.sha256(token)));
        return token;
    }

    /** A job an earlier server accepted, carried on: found by the hash of the token its client holds. */
    public void readmit(final Kept kept, final String tokenHash)
    {
        kept.tokenHash = tokenHash;
        byTokenHash.put(tokenHash, kept);
    }

    /** The job {@code token} resumes, or null. */
    public Kept find(final String token)
    {
        sweep();
        return token == null || token.isEmpty() ? null :
            byTokenHash.get(HexFormat.of().formatHex(Secrets.sha256(token)));
    }

    /**
     * The job's upload broke off (its connection, or the server before this one, was lost): its record and partial
     * upload wait on disk for its client to send the rest, from {@code sinceMs} (the upload's last byte) for
     * {@code --abandoned-after}.
     */
    public void awaitUpload(final Kept kept, final JobRecord record, final long sinceMs)
    {
        synchronized (kept)
        {
            kept.waitingUpload = record;
            kept.streamer = null;
            kept.keepUntilMs = sinceMs + abandonedMs;
        }
        final var waiting = byTokenHash.values().stream().filter(job -> job.waitingUpload != null)
            .sorted(Comparator.comparingLong(job -> job.keepUntilMs)).toList();
        for (int i = 0; i < waiting.size() - MAX_WAITING_UPLOADS; i++)
        {
            abandon(waiting.get(i), "more than " + MAX_WAITING_UPLOADS + " jobs wait for their uploads");
        }
        sweep();
    }

    /** A job whose upload a server before this one did not receive whole: it waits for its client, as it did there. */
    public void awaitUpload(final JobRecord record) throws IOException
    {
        final Kept kept = new Kept(record.jobId());
        readmit(kept, record.resumeTokenHash());
        awaitUpload(kept, record, Files.getLastModifiedTime(JobRecord.upload(dataDir, record.jobId())).toMillis());
    }

    /**
     * A client resuming a job whose upload broke off: the job's record, no longer waiting (a second resume of it
     * gets null until {@link #awaitUpload} puts it back), or null when the job is not waiting for its upload.
     */
    JobRecord claimUpload(final Kept kept)
    {
        synchronized (kept)
        {
            final JobRecord record = kept.waitingUpload;
            kept.waitingUpload = null;
            if (record != null)
            {
                kept.keepUntilMs = Long.MAX_VALUE;
            }
            return record;
        }
    }

    /** Whether the job waits for the rest of its upload. */
    boolean waitingUpload(final Kept kept)
    {
        synchronized (kept)
        {
            return kept.waitingUpload != null;
        }
    }

    private void abandon(final Kept kept, final String why)
    {
        synchronized (kept)
        {
            if (kept.waitingUpload == null)
            {
                return;
            }
            kept.waitingUpload = null;
            kept.errorCode = ErrorCode.UNKNOWN_JOB;
            kept.errorMessage = "the job was abandoned: " + why;
            kept.ended.complete(null);
        }
        byTokenHash.remove(kept.tokenHash);
        LOG.info("job {}: abandoned ({}); its upload is deleted", kept.jobId, why);
        try
        {
            Files.deleteIfExists(JobRecord.upload(dataDir, kept.jobId));
            Files.deleteIfExists(JobRecord.file(dataDir, kept.jobId));
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot delete the files of job {}: {}", kept.jobId, ex.getMessage());
        }
    }

    /** The job ended with no client to take its output: keeps a link to it, and its result, for a while. */
    void keep(final Kept kept, final Path output, final String sha256, final ObjectNode result) throws IOException
    {
        final Path link = dir.resolve("job-" + kept.jobId + ".out");
        Files.deleteIfExists(link);
        Files.createLink(link, output); // the session deletes the output itself; the link keeps its bytes
        kept.output = link;
        kept.size = Files.size(link);
        kept.sha256 = sha256;
        kept.result = result;
        kept.keepUntilMs = clock.time() + keepMs;
        final ObjectNode record = JsonMessages.MAPPER.createObjectNode()
            .put("job", kept.jobId)
            .put("resume_token_sha256", kept.tokenHash)
            .put("size", kept.size)
            .put("sha256", sha256)
            .put("keep_until_ms", kept.keepUntilMs);
        if (kept.rewrittenFrom < Long.MAX_VALUE)
        {
            record.put("output_rewritten_from", kept.rewrittenFrom);
        }
        record.set("result", result);
        PrivateFiles.sync(link); // on disk before the upload goes: a power cut leaves one or the other
        PrivateFiles.replaceDurably(keptRecord(dataDir, kept.jobId), JsonMessages.MAPPER.writeValueAsBytes(record));
        kept.streamer = null;
        kept.ended.complete(null);
        sweep(); // kept for 0 s: gone at once
    }

    /** The job ended with its output delivered, or failed: a resume gets the error, if any, for a while. */
    void ended(final Kept kept, final ErrorCode code, final String message)
    {
        kept.errorCode = code;
        kept.errorMessage = message;
        kept.streamer = null;
        kept.keepUntilMs = clock.time() + keepMs;
        kept.ended.complete(null);
    }

    /**
     * Drops jobs kept past their time, and their outputs, and jobs whose uploads waited for their clients for
     * {@code --abandoned-after}; the server runs it every second.
     */
    public void sweep()
    {
        final long nowMs = clock.time();
        for (final Kept kept : byTokenHash.values())
        {
            if (nowMs >= kept.keepUntilMs && waitingUpload(kept))
            {
                abandon(kept, "nobody sent the rest of its upload for " + abandonedMs / 1000 + " s");
            }
        }
        byTokenHash.entrySet().removeIf(entry ->
        {
            final Kept kept = entry.getValue();
            if (nowMs < kept.keepUntilMs || waitingUpload(kept))
            {
                return false;
            }
            if (kept.output != null)
            {
                try
                {
                    Files.deleteIfExists(kept.output);
                    Files.deleteIfExists(keptRecord(dataDir, kept.jobId));
                }
                catch (final IOException ex)
                {
                    LOG.warn("cannot delete {}: {}", kept.output, ex.getMessage());
                }
            }
            return true;
        });
    }

    /** Jobs kept, running or finished. */
    public int size()
    {
        return byTokenHash.size();
    }
}
