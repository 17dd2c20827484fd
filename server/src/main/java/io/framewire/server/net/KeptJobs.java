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
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs whose clients may take them up again with their resume token (random, 128 bits; only its hash is kept): a
 * running job, to be attached to its output as it is written, and a finished one, whose output and result wait
 * under {@code DATA_DIR/kept/} (a link to the output and a JSON record) for {@code --keep-results}, then are deleted;
 * a restarted server takes them up again. A job goes on when its client's connection breaks after the upload; only
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

    private final Path dir;
    private final long keepMs;
    private final EpochClock clock;
    private final Map<String, Kept> byTokenHash = new ConcurrentHashMap<>();

    /** @param keepMs how long a finished job's output waits for its client. */
    public KeptJobs(final Path dataDir, final long keepMs, final EpochClock clock) throws IOException
    {
        this.dir = dataDir.resolve("kept");
        this.keepMs = keepMs;
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
        record.set("result", result);
        final Path file = dir.resolve("job-" + kept.jobId + ".json");
        final Path next = PrivateFiles.create(dir.resolve("job-" + kept.jobId + ".json.next"));
        Files.write(next, JsonMessages.MAPPER.writeValueAsBytes(record));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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

    /** Drops jobs kept past their time, and their outputs. */
    void sweep()
    {
        final long nowMs = clock.time();
        byTokenHash.entrySet().removeIf(entry ->
        {
            final Kept kept = entry.getValue();
            if (nowMs < kept.keepUntilMs)
            {
                return false;
            }
            if (kept.output != null)
            {
                try
                {
                    Files.deleteIfExists(kept.output);
                    Files.deleteIfExists(dir.resolve("job-" + kept.jobId + ".json"));
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
