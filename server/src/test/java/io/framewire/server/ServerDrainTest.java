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
