package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server is killed (SIGKILL) mid-job, at several points, and started again on the same data directory and port:
 * it carries the job on from its record and upload (or has its kept output, when the job had ended), the client
 * connects again by itself and resumes, and the output is whole and the same as an uninterrupted run's, every frame
 * once (the SHA-256 of the whole output checked at its eof, and every frame compared with the input's blur).
 */
class ServerRecoveryTest
{
    @TempDir
    Path dir;

    /** Killed inside the first fragment (only the header is out), and several fragments in. */
    @ParameterizedTest(name = "killed once {0} bytes of output are out")
    @ValueSource(longs = {1, 60_000})
    void aJobOutlivesAServerKilledMidJob(final long outputBytes) throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        // With sound, as FFmpeg writes it: 10 s of picture and a tone.
        final Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
            "testsrc2=size=320x240:rate=25:duration=10", "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
            "-c:v", "mpeg4", "-q:v", "4", "-c:a", "aac", "-shortest", video.toString()).inheritIO().start();
        assertEquals(0, ffmpeg.waitFor());
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data, "--paced"))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--port", Integer.toString(port), "--video", video.toString(), "--out", out.toString(),
                "--reconnect-s", "90"), runnable -> Thread.ofVirtual().start(runnable));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((!Files.exists(partial) || Files.size(partial) < outputBytes) && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(Files.exists(partial) && Files.size(partial) >= outputBytes, "output was arriving");
            first.signal("KILL");

            try (ServerProcess second = ServerProcess.start(dir, "second", port, data, "--paced"))
            {
                final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
                assertTrue(run.stderr().contains("connected again"), run.stderr());
                assertTrue(second.log().contains("carried on from the server before"));
                assertEquals(250, run.result().get("frames").asInt());
                assertTrue(run.result().get("recovered").asBoolean(), run.result().toString());
                assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
                VideoAssertions.assertBlurredCopy(video, out, 250, 27); // testsrc2's fine detail costs x264 some dB
                // The same job uninterrupted: the same file, byte for byte (every frame, timestamp and audio sample).
                final Path straight = dir.resolve("straight.mp4");
                final TestClient.Run uninterrupted = TestClient.run("--port", Integer.toString(port), "--video",
                    video.toString(), "--out", straight.toString(), "--quiet");
                assertEquals(ExitCode.OK, uninterrupted.exitCode(), uninterrupted.stderr());
                assertEquals("aac", uninterrupted.result().get("audio").asText());
                assertEquals(ClientInterruptTest.sha256(straight), ClientInterruptTest.sha256(out));
                ServerFixture.assertOnlyDocumentedFiles(data);
            }
        }
    }

    /**
     * The job has ended and its output waits at the server, while the client is still downloading it (a slow link):
     * the server is killed; the next one has the kept output, and the client takes the rest from its byte.
     */
    @Test
    void aDownloadOutlivesAServerKilledDuringIt() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 250, 25);
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data);
            TcpRelay relay = new TcpRelay(port, 0, 16 * 1024))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--host", "127.0.0.1", "--port", Integer.toString(relay.port()), "--video", video.toString(),
                "--out", out.toString(), "--reconnect-s", "90"), runnable -> Thread.ofVirtual().start(runnable));
            final Path kept = data.resolve("kept");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!hasKeptResult(kept) && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertTrue(hasKeptResult(kept), "the job ended at the server");
            final long keptBytes;
            try (var files = Files.list(kept))
            {
                keptBytes = Files.size(files.filter(f -> f.toString().endsWith(".out")).findFirst().orElseThrow());
            }
            first.signal("KILL");
            final long had = Files.exists(partial) ? Files.size(partial) : 0;
            assertTrue(had < keptBytes, "the client was still downloading: " + had + " of " + keptBytes);
            relay.cut();

            try (ServerProcess second = ServerProcess.start(dir, "second", port, data))
            {
                final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
                assertTrue(run.stderr().contains("connected again"), run.stderr());
                assertEquals(250, run.result().get("frames").asInt());
                assertEquals(keptBytes, Files.size(out));
                ServerFixture.assertOnlyDocumentedFiles(data);
                assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
                VideoAssertions.assertBlurredCopy(video, out, 250, 30);
            }
        }
    }

    private static boolean hasKeptResult(final Path kept) throws Exception
    {
        if (!Files.isDirectory(kept))
        {
            return false;
        }
        try (var files = Files.list(kept))
        {
            return files.anyMatch(f -> f.toString().endsWith(".json"));
        }
    }
}
