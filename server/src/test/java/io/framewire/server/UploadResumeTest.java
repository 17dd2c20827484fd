package io.framewire.server;

import io.framewire.client.ClientMain;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upload that breaks off: the network cut mid-upload (a real, slowed TCP relay between client and server), the
 * server killed with SIGKILL mid-upload and started again on the same data directory, and a client that never comes
 * back. What arrived is kept; the client connects again by itself, sends the rest from the byte the server has, and
 * gets the whole output; a job nobody comes back for is removed after --abandoned-after; Ctrl-C removes it at once.
 */
class UploadResumeTest
{
    /** Slow enough that the upload of the test video takes several seconds. */
    private static final long UP_BYTES_PER_SECOND = 256 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "--protocol {0}")
    @ValueSource(strings = {"file", "stream"})
    void aCutMidUploadGoesOnFromTheByteTheServerHas(final String protocol) throws Exception
    {
        final Path video = video();
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).keepResultsS(600));
            TcpRelay relay = new TcpRelay(server.port(), UP_BYTES_PER_SECOND))
        {
            final Path out = dir.resolve("out.mp4");
            final CompletableFuture<TestClient.Run> job = TestClient.start(
                "--host", "127.0.0.1", "--port", Integer.toString(relay.port()), "--video", video.toString(),
                "--out", out.toString(), "--protocol", protocol);
            final long arrived = awaitUpload(dir.resolve("data"), Files.size(video) / 3);
            relay.cut();
            final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final Matcher from = Pattern.compile("the upload goes on from byte (\\d+)").matcher(run.stderr());
            assertTrue(from.find(), run.stderr());
            final long offset = Long.parseLong(from.group(1));
            assertTrue(offset >= arrived && offset < Files.size(video), "the rest from the byte the server had (" +
                offset + "; " + arrived + " of " + Files.size(video) + " had arrived at the cut)");
            assertEquals(2, relay.connections());
            assertEquals(150, run.result().get("frames").asInt());
            assertEquals(Files.size(video), run.result().get("input_bytes").asLong());
            assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
            VideoAssertions.assertBlurredCopy(video, out, 150, 30);
            ServerFixture.assertOnlyDocumentedFiles(dir.resolve("data"));
        }
    }

    @Test
    void aServerKilledMidUploadTakesTheRestAfterItsRestart() throws Exception
    {
        final Path video = video();
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data);
            TcpRelay relay = new TcpRelay(port, UP_BYTES_PER_SECOND))
        {
            final Path out = dir.resolve("out.mp4");
            final CompletableFuture<TestClient.Run> job = TestClient.start(
                "--host", "127.0.0.1", "--port", Integer.toString(relay.port()), "--video", video.toString(),
                "--out", out.toString(), "--reconnect-s", "90");
            awaitUpload(data, Files.size(video) / 3);
            first.signal("KILL");
            relay.cut();

            try (ServerProcess second = ServerProcess.start(dir, "second", port, data))
            {
                final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
                assertTrue(second.log().contains("1 wait for the rest of their uploads"), second.log());
                ServerFixture.assertOnlyDocumentedFiles(data);
                assertTrue(run.stderr().contains("the upload goes on from byte"), run.stderr());
                assertEquals(150, run.result().get("frames").asInt());
                assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
                VideoAssertions.assertBlurredCopy(video, out, 150, 30);
            }
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "KILL"})
    void aClientStoppedMidUpload(final String signal) throws Exception
    {
        // Larger than what the client's socket and the relay hold (a few MB): the bytes a stopped client had sent
        // come through, and the rest never does.
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 1280, 720, 250, 25);
        assertTrue(Files.size(video) > 10_000_000, "larger than the socket buffers: " + Files.size(video));
        final Path data = dir.resolve("data");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).abandonedAfterS(3)
            .keepResultsS(600));
            TcpRelay relay = new TcpRelay(server.port(), 1024 * 1024))
        {
            final Process client = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
                ClientMain.class.getName(), "--host", "127.0.0.1", "--port", Integer.toString(relay.port()),
                "--video", video.toString(), "--out", dir.resolve("out.mp4").toString()))
                .redirectError(dir.resolve("client.log").toFile()).redirectOutput(dir.resolve("client.out").toFile())
                .start();
            try
            {
                awaitUpload(data, 1_500_000);
                final Matcher token = Pattern.compile("--resume (fwr_[A-Za-z0-9_-]+)")
                    .matcher(Files.readString(dir.resolve("client.log")));
                assertTrue(token.find());
                new ProcessBuilder("kill", "-" + signal, Long.toString(client.pid())).start().waitFor();
                assertTrue(client.waitFor(20, TimeUnit.SECONDS));
                if ("INT".equals(signal))
                {
                    assertEquals(ExitCode.INTERRUPTED, client.exitValue());
                    // Once the bytes the client had sent before its cancel have come through the slow relay.
                    assertEquals(List.of(), awaitNoJobFiles(data, 15), "cancelled: everything removed");
                }
                else
                {
                    final List<Path> waiting = awaitJobFiles(data, 2, 15);
                    assertEquals(2, waiting.size(), "the upload and its record wait: " + waiting);
                    final Path upload = waiting.stream().filter(f -> f.toString().endsWith(".upload")).findFirst()
                        .orElseThrow();
                    assertTrue(Files.size(upload) < Files.size(video), "a partial upload");
                    assertEquals(List.of(), awaitNoJobFiles(data, 10), "removed after --abandoned-after");
                }
                final TestClient.Run late = TestClient.run("--port", Integer.toString(server.port()), "--resume",
                    token.group(1), "--video", video.toString(), "--out", dir.resolve("late.mp4").toString(),
                    "--quiet");
                assertEquals(ExitCode.SERVER_ERROR, late.exitCode(), late.stderr());
                assertTrue(late.stderr().contains("INT".equals(signal) ? "cancelled" : "unknown_job"),
                    late.stderr());
            }
            finally
            {
                client.destroyForcibly();
            }
        }
    }

    /** 640×360, 150 frames: about 1.5 MB, some 6 s through the relay. */
    private Path video() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 640, 360, 150, 25);
        assertTrue(Files.size(video) > 4 * UP_BYTES_PER_SECOND, "an upload that takes seconds: " +
            Files.size(video));
        return video;
    }

    /** Waits until the server has {@code bytes} of a job's upload; returns how many it has. */
    private static long awaitUpload(final Path data, final long bytes) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            for (final Path file : jobFiles(data))
            {
                if (file.toString().endsWith(".upload") && Files.size(file) >= bytes)
                {
                    return Files.size(file);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no upload of " + bytes + " bytes arrived");
    }

    private static List<Path> awaitNoJobFiles(final Path data, final int seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Path> left = jobFiles(data);
        while (!left.isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            left = jobFiles(data);
        }
        return left;
    }

    /** Waits until the job's files are {@code count}: the connection ended and the output was removed. */
    private static List<Path> awaitJobFiles(final Path data, final int count, final int seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Path> files = jobFiles(data);
        while (files.size() != count && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            files = jobFiles(data);
        }
        return files;
    }

    private static List<Path> jobFiles(final Path data) throws Exception
    {
        try (Stream<Path> files = Files.list(data))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("job-")).sorted().toList();
        }
    }
}
