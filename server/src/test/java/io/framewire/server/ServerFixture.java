package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.codec.JsonMessages;
import io.framewire.server.access.Secrets;
import io.framewire.transport.TransportConfig;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The end-to-end tests' server: a real {@link FramewireServer} with its embedded media driver, and any number of real
 * worker processes joined to it, started once per test class and stopped after it. Register it as a static
 * {@code @RegisterExtension} field; {@link #context(Path)} gives the same test settings to a test that starts a server
 * of its own.
 */
final class ServerFixture implements BeforeAllCallback, AfterAllCallback
{
    /** The tests' metrics token: see {@link #operated}. */
    static final String METRICS_TOKEN = Secrets.newSecret("fw_", 128);

    private final UnaryOperator<ServerContext> settings;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private int workerCount;
    private Path dir;
    private FramewireServer server;

    /** @param settings what this class's server sets beyond {@link #context(Path)}. */
    ServerFixture(final UnaryOperator<ServerContext> settings)
    {
        this.settings = settings;
    }

    ServerFixture()
    {
        this(UnaryOperator.identity());
    }

    /** Worker processes started and joined before the class's tests run. */
    ServerFixture workers(final int count)
    {
        workerCount = count;
        return this;
    }

    /**
     * Test settings: loopback, free ports, a fresh Aeron directory and data directory under {@code dir}, no preview,
     * no thumbnails, a short read timeout, finished outputs not kept for a resume (tests of resuming keep them).
     */
    static ServerContext context(final Path dir)
    {
        return new ServerContext()
            .port(0)
            .aeronDir(TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID())
            .dataDir(dir.resolve("data"))
            .window(8)
            .maxUploadBytes(1L << 30)
            .readTimeoutMs(10_000)
            .previewPort(-1)
            .thumbnails(0)
            .keepResultsS(0);
    }

    /**
     * {@code context} reading every job's metrics with {@link #METRICS_TOKEN}, as an operator's scraper does (its
     * token file written under {@code dir}); {@link #metrics(int)} reads them so.
     */
    static ServerContext operated(final ServerContext context, final Path dir) throws IOException
    {
        final Path file = dir.resolve("metrics-tokens");
        Files.createDirectories(dir);
        Files.writeString(file, "tests " + HexFormat.of().formatHex(Secrets.sha256(METRICS_TOKEN)) + "\n");
        return context.metricsTokens(file);
    }

    /** The server's /metrics as an operator sees it: every job. */
    static JsonNode metrics(final int previewPort) throws IOException, InterruptedException
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            return JsonMessages.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                previewPort + "/metrics")).header("Authorization", "Bearer " + METRICS_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        }
    }

    @Override
    public void beforeAll(final ExtensionContext extensionContext) throws Exception
    {
        dir = Files.createTempDirectory("framewire-fixture-");
        server = FramewireServer.start(settings.apply(context(dir)));
        for (int i = 0; i < workerCount; i++)
        {
            final WorkerProcess worker = WorkerProcess.start(server.aeronDir(), dir.resolve("worker-" + i + ".log"));
            workers.add(worker);
            worker.awaitConnected();
        }
    }

    @Override
    public void afterAll(final ExtensionContext extensionContext) throws IOException
    {
        CloseHelper.closeAll(workers);
        CloseHelper.close(server);
        IoUtil.delete(dir.toFile(), true);
    }

    FramewireServer server()
    {
        return server;
    }

    int port()
    {
        return server.port();
    }

    /** The server's data directory: uploads and outputs while a job runs, and the job history. */
    Path dataDir()
    {
        return dir.resolve("data");
    }

    WorkerProcess worker(final int index)
    {
        return workers.get(index);
    }

    /** A port nothing listens on now, for a server (and its successor) or a helper the test starts. */
    static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0))
        {
            return probe.getLocalPort();
        }
    }

    /**
     * After its jobs ended, a data directory holds only what docs/architecture.md lists for that time: finished
     * outputs kept for their clients ({@code kept/job-ID.out} beside its {@code .json}) and the last jobs' outputs for
     * the preview ({@code preview/job-ID.mp4}). Waits a little for a job's own clean-up.
     */
    static void assertOnlyDocumentedFiles(final Path data) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> unexpected;
        do
        {
            unexpected = new ArrayList<>();
            try (var files = Files.walk(data))
            {
                for (final Path file : files.filter(f -> !f.equals(data)).toList())
                {
                    final String name = data.relativize(file).toString();
                    final boolean documented = name.equals("kept") || name.equals("preview") ||
                        name.matches("preview/job-\\d+\\.mp4") ||
                        name.matches("kept/job-\\d+\\.(out|json)") &&
                        Files.exists(file.resolveSibling(file.getFileName().toString()
                            .replaceAll("\\.(out|json)$", name.endsWith(".out") ? ".json" : ".out")));
                    if (!documented)
                    {
                        unexpected.add(name);
                    }
                }
            }
            if (!unexpected.isEmpty())
            {
                Thread.sleep(100);
            }
        }
        while (!unexpected.isEmpty() && System.nanoTime() < deadline);
        if (!unexpected.isEmpty())
        {
            throw new AssertionError("files the docs do not list in " + data + ": " + unexpected);
        }
    }
}
