package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop: SIGTERM to a real server process mid-job stops it taking clients, lets the running job finish
 * (its client gets every frame and exits 0), and the server exits 0; a job the drain does not see through is kept for
 * the next server.
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
        try (ServerProcess server = ServerProcess.start(dir, "server", 0, dir.resolve("data"), "--paced",
            "--drain-s", "30"))
        {
            final int port = server.awaitPort();
            // A paced job of 3 s: the signal comes while it runs.
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--port", Integer.toString(port), "--video", video.toString(), "--protocol", "stream", "--out",
                dir.resolve("drained.mp4").toString(), "--quiet"));
            Thread.sleep(1_000);
            assertTrue(!job.isDone(), "the job still runs when the signal comes");
            new ProcessBuilder("kill", "-TERM", Long.toString(server.process().pid())).start().waitFor();
            final TestClient.Run run = job.get(60, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertEquals(60, run.result().get("frames").asInt(), "every frame, after the signal too");
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "the server exits once drained");
            assertEquals(0, server.process().exitValue(), server.log());
            assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "and takes no client");
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
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data, "--paced", "--drain-s", "1"))
        {
            final Path out = dir.resolve("out.mp4");
            final CompletableFuture<TestClient.Run> job = TestClient.start(
                "--port", Integer.toString(port), "--video", video.toString(), "--out", out.toString(),
                "--reconnect-s", "90");
            Thread.sleep(2_500); // a paced job of 10 s: a drain of 1 s does not see it through
            assertEquals(0, first.signal("TERM"), "the server exits 0 after the drain: " + first.log());
            final List<String> left;
            try (var files = Files.list(data))
            {
                left = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("job-")).sorted()
                    .toList();
            }
            assertEquals(3, left.size(), "the job's record, upload and output so far, no more: " + left);
            assertTrue(left.get(0).endsWith(".json") && left.get(1).endsWith(".mp4") &&
                left.get(2).endsWith(".upload"), left.toString());
            assertTrue(Files.readString(data.resolve(left.get(0))).contains("\"uploaded\":true"));

            try (ServerProcess second = ServerProcess.start(dir, "second", port, data, "--paced"))
            {
                final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
                assertEquals(250, run.result().get("frames").asInt());
                assertTrue(run.result().get("recovered").asBoolean());
                // 3.5 s of a paced job: its first fragment (2 s) was whole, and is not made again.
                assertEquals(50, run.result().path("continued_from_frame").asInt(), run.result().toString());
                assertEquals(200, run.result().get("frames_processed").asInt());
                ServerFixture.assertOnlyDocumentedFiles(data);
                assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
                VideoAssertions.assertBlurredCopy(video, out, 250, 30);
            }
        }
    }
}
