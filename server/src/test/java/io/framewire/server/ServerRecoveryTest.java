package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import io.framewire.transport.TransportConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server is killed (SIGKILL) mid-job and started again on the same data directory and port: it carries the job
 * on from its record and upload, the client connects again by itself and resumes, and the output is whole and the
 * same as an uninterrupted run's, every frame once.
 */
class ServerRecoveryTest
{
    @TempDir
    Path dir;

    @Test
    void aJobOutlivesAServerKilledMidJob() throws Exception
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
            assertEquals(port, ServerDrainTest.awaitPort(dir.resolve("first.out"), first));
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--port", Integer.toString(port), "--video", video.toString(), "--out", out.toString(),
                "--reconnect-s", "90"), runnable -> Thread.ofVirtual().start(runnable));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((!Files.exists(partial) || Files.size(partial) < 10_000) && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(partial) && Files.size(partial) >= 10_000, "output was arriving");
            new ProcessBuilder("kill", "-KILL", Long.toString(first.pid())).start().waitFor();
            assertTrue(first.waitFor(10, TimeUnit.SECONDS));

            second = server(port, data, "second");
            assertEquals(port, ServerDrainTest.awaitPort(dir.resolve("second.out"), second));
            final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + Files.readString(dir.resolve("second.log")));
            assertTrue(run.stderr().contains("connected again"), run.stderr());
            assertTrue(Files.readString(dir.resolve("second.log")).contains("carried on from the server before"));
            assertEquals(250, run.result().get("frames").asInt());
            assertTrue(run.result().get("recovered").asBoolean(), run.result().toString());
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

    private Process server(final int port, final Path data, final String name) throws Exception
    {
        return new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
            "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
            ServerMain.class.getName(), "--port", Integer.toString(port), "--preview-port", "-1", "--paced",
            "--aeron-dir", TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID(), "--data-dir",
            data.toString()))
            .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".log").toFile())
            .start();
    }
}
