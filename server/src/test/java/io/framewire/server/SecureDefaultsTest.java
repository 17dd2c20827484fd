package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing listens beyond loopback without authentication: clients' tokens (--auth-tokens), or the operator's word,
 * with --no-auth, that nobody needs to authenticate.
 */
class SecureDefaultsTest
{
    @TempDir
    Path dir;

    @Test
    void aServerRefusesToListenBeyondLoopbackWithoutNoAuth()
    {
        final String bind = refusal("--bind", "::", "--data-dir", dir.resolve("a").toString());
        assertTrue(bind.contains("--bind :: listens beyond loopback") && bind.contains("--auth-tokens") &&
            bind.contains("--no-auth"), bind);
        // Jobs need their view tokens, but the Prometheus text is every job's: beyond loopback it needs its tokens.
        final String preview = refusal("--preview-bind", "192.0.2.1", "--data-dir", dir.resolve("c").toString());
        assertTrue(preview.contains("--preview-bind 192.0.2.1") && preview.contains("--metrics-tokens") &&
            preview.contains("--no-auth"), preview);
        // 192.0.2.1 is TEST-NET-1: never bound, the refusal comes first.
        final String workers = refusal("--worker-endpoint", "192.0.2.1", "--data-dir", dir.resolve("b").toString());
        assertTrue(workers.contains("--worker-secret-file") && workers.contains("--no-auth"), workers);
        assertTrue(Files.notExists(dir.resolve("a")) && Files.notExists(dir.resolve("b")) &&
            Files.notExists(dir.resolve("c")), "nothing started");
    }

    @Test
    void loopbackMeansBothFamiliesAndNothingElse() throws Exception
    {
        final Path video = dir.resolve("in.mp4");
        SyntheticVideo.write(video, 320, 240, 10, 25);
        final Path dataDir = dir.resolve("private-data");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).dataDir(dataDir)
            .previewPort(0)))
        {
            assertEquals(2, server.boundAddresses().size(), server.boundAddresses().toString());
            for (final InetSocketAddress address : server.boundAddresses())
            {
                assertTrue(address.getAddress().isLoopbackAddress(), address.toString());
                assertEquals(server.port(), address.getPort());
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)),
                "the data directory is the server user's alone");
            final HttpClient http = HttpClient.newHttpClient();
            for (final String host : new String[] {"127.0.0.1", "::1"})
            {
                final TestClient.Run run = TestClient.run("--host", host, "--port", Integer.toString(server.port()),
                    "--video", video.toString(), "--out", dir.resolve("out-" + host.length() + ".mp4").toString(),
                    "--quiet");
                assertEquals(ExitCode.OK, run.exitCode(), host + ": " + run.stderr());
                final String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" +
                    server.previewPort() + "/metrics";
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), url);
            }
        }
    }

    private static String refusal(final String... args)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(2, new CommandLine(new ServerMain()).execute(args));
        }
        finally
        {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    /** What a killed server left (uploads, outputs, journals, kept previews) is gone before the next one runs. */
    @Test
    void aRestartedServerRemovesWhatAKilledOneLeft() throws Exception
    {
        final Path dataDir = dir.resolve("left-behind");
        Files.createDirectories(dataDir.resolve("preview"));
        final List<Path> stale = List.of(dataDir.resolve("job-1.upload"), dataDir.resolve("job-1.mp4"),
            dataDir.resolve("preview").resolve("job-7.mp4"));
        for (final Path file : stale)
        {
            Files.writeString(file, "left by a server killed mid-job");
        }
        Files.createDirectories(dataDir.resolve("job-1.journal"));
        Files.writeString(dataDir.resolve("job-1.journal").resolve("20261201.cq4"), "records");
        final Path unrelated = Files.writeString(dataDir.resolve("notes.txt"), "not the server's");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).dataDir(dataDir)))
        {
            for (final Path file : stale)
            {
                assertFalse(Files.exists(file), file + " removed");
            }
            assertFalse(Files.exists(dataDir.resolve("job-1.journal")), "the journal removed");
            assertTrue(Files.exists(unrelated), "what is not a job's is left alone");
            assertTrue(server.port() > 0);
        }
    }

    /** What a job leaves on disk while it runs is the server user's alone, and so are the frames in shared memory. */
    @Test
    void aJobsFilesAndTheAeronDirectoryArePrivate() throws Exception
    {
        final Path video = dir.resolve("ten-seconds.mkv");
        SyntheticVideo.write(video, 320, 240, 100, 10);
        final Path dataDir = dir.resolve("private-job");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).dataDir(dataDir).paced(true)))
        {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                Path.of(server.aeronDir()))), "the media driver's directory");
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--port", Integer.toString(server.port()), "--video", video.toString(), "--protocol", "stream",
                "--out", dir.resolve("private.mp4").toString(), "--quiet"));
            // The job's id is random: its files are found by their form.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<Path> files = List.of();
            Path journal = null;
            while (files.size() < 2 || journal == null)
            {
                assertTrue(System.nanoTime() < deadline && !job.isDone(), "the job's files did not appear");
                Thread.sleep(20);
                try (var listing = Files.list(dataDir))
                {
                    final List<Path> all = listing.filter(p -> p.getFileName().toString().matches("job-[0-9]+\\." +
                        "(upload|mp4|journal)")).toList();
                    files = all.stream().filter(p -> !p.toString().endsWith(".journal")).toList();
                    journal = all.stream().filter(p -> p.toString().endsWith(".journal")).findFirst().orElse(null);
                }
            }
            for (final Path file : files)
            {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                    file.toString());
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)));
            assertEquals(0, job.get(60, TimeUnit.SECONDS).exitCode());
        }
    }
}
