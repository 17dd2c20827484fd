package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import io.framewire.transport.TransportConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop: SIGTERM to a real server process mid-job stops it taking clients, lets the running job finish
 * (its client gets every frame and exits 0), and the server exits 0.
 */
class ServerDrainTest
{
    @TempDir
    Path dir;

    @Test
    void sigtermLetsTheRunningJobFinishAndExitsZero() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 60, 20);
        final Path out = dir.resolve("server.out");
        final Process server = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
            "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
            ServerMain.class.getName(), "--port", "0", "--preview-port", "-1", "--paced", "--drain-s", "30",
            "--aeron-dir", TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID(), "--data-dir",
            dir.resolve("data").toString()))
            .redirectOutput(out.toFile()).redirectError(dir.resolve("server.log").toFile()).start();
        try
        {
            final int port = awaitPort(out, server);
            // A paced job of 3 s: the signal comes while it runs.
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--port", Integer.toString(port), "--video", video.toString(), "--protocol", "stream", "--out",
                dir.resolve("drained.mp4").toString(), "--quiet"));
            Thread.sleep(1_000);
            assertTrue(!job.isDone(), "the job still runs when the signal comes");
            new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
            final TestClient.Run run = job.get(60, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertEquals(60, run.result().get("frames").asInt(), "every frame, after the signal too");
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server exits once drained");
            assertEquals(0, server.exitValue(), Files.readString(dir.resolve("server.log")));
            assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "and takes no client");
        }
        finally
        {
            server.destroyForcibly();
        }
    }

    /**
     * A job longer than the drain: SIGTERM lets it run for --drain-s, then the server keeps it on disk (its record and
     * upload) and exits 0; the next server on the data directory carries it on, and the client, which connected again
     * by itself, gets the whole output.
     */
    @Test
    void aJobLongerThanTheDrainIsKeptForTheNextServer() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 250, 25);
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final Path data = dir.resolve("data");
        final Process first = server(port, data, "first");
        Process second = null;
        try
        {
            assertEquals(port, awaitPort(dir.resolve("first.out"), first));
            final Path out = dir.resolve("out.mp4");
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--port", Integer.toString(port), "--video", video.toString(), "--out", out.toString(),
                "--reconnect-s", "90"), runnable -> Thread.ofVirtual().start(runnable));
            Thread.sleep(2_000); // a paced job of 10 s: a drain of 1 s does not see it through
            new ProcessBuilder("kill", "-TERM", Long.toString(first.pid())).start().waitFor();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the server exits after the drain");
            assertEquals(0, first.exitValue(), Files.readString(dir.resolve("first.log")));
            final List<String> left;
            try (var files = Files.list(data))
            {
                left = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("job-")).sorted()
                    .toList();
            }
            assertEquals(2, left.size(), "the job's record and upload, no more: " + left);
            assertTrue(left.get(0).endsWith(".json") && left.get(1).endsWith(".upload"), left.toString());
            assertTrue(Files.readString(data.resolve(left.get(0))).contains("\"uploaded\":true"));

            second = server(port, data, "second");
            assertEquals(port, awaitPort(dir.resolve("second.out"), second));
            final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertEquals(250, run.result().get("frames").asInt());
            assertTrue(run.result().get("recovered").asBoolean());
            ServerFixture.assertOnlyDocumentedFiles(data);
            assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
            VideoAssertions.assertBlurredCopy(video, out, 250, 30);
        }
        finally
        {
            first.destroyForcibly();
            if (second != null)
            {
                second.destroyForcibly();
            }
        }
    }

    private Process server(final int port, final Path data, final String name) throws IOException
    {
        return new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
            "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
            ServerMain.class.getName(), "--port", Integer.toString(port), "--preview-port", "-1", "--paced",
            "--drain-s", "1", "--aeron-dir", TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID(),
            "--data-dir", data.toString()))
            .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".log").toFile())
            .start();
    }

    /** The port a server process says it listens on (its {@code listening} event on stdout). */
    static int awaitPort(final Path out, final Process server) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && server.isAlive())
        {
            for (final String line : Files.readAllLines(out))
            {
                if (line.contains("\"event\":\"listening\""))
                {
                    final JsonNode event = JsonMessages.MAPPER.readTree(line);
                    return event.get("port").asInt();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not start");
    }
}
