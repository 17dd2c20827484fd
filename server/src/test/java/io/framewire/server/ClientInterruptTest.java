package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ClientMain;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real client JVM stopped mid-job, after its upload. Ctrl-C cancels the job: the client tells the server, which
 * stops it at once (`failed`, `cancelled` in /metrics, its files removed), and exits 130 leaving no partial output.
 * SIGKILL tells the server nothing: the job goes on to its end, and another client takes its output up with the
 * resume token the first printed.
 */
class ClientInterruptTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "KILL"})
    void aClientStoppedMidJob(final String signal) throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 250, 25);
        // A paced server: the job takes the video's 10 s, so the signal comes mid-job.
        try (FramewireServer server = FramewireServer.start(ServerFixture.operated(ServerFixture.context(dir)
            .paced(true).previewPort(0).keepResultsS(600), dir)))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final Process client = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
                ClientMain.class.getName(), "--port", Integer.toString(server.port()), "--video",
                video.toString(), "--out", out.toString(), "--protocol", "stream"))
                .redirectError(dir.resolve("client.log").toFile()).redirectOutput(dir.resolve("client.out").toFile())
                .start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!Files.exists(partial) || Files.size(partial) == 0) && System.nanoTime() < deadline &&
                client.isAlive())
            {
                Thread.sleep(50);
            }
            final String log = Files.readString(dir.resolve("client.log"));
            assertTrue(Files.exists(partial) && Files.size(partial) > 0, "output was arriving: " + log);
            final Matcher resume = Pattern.compile("--resume (fwr_[A-Za-z0-9_-]+)").matcher(log);
            assertTrue(resume.find(), "the client printed its resume token: " + log);
            new ProcessBuilder("kill", "-" + signal, Long.toString(client.pid())).start().waitFor();
            assertTrue(client.waitFor(20, TimeUnit.SECONDS), "the client ends on SIG" + signal);
            assertFalse(Files.exists(out));
            final JsonNode job = awaitEnded(server.previewPort(), "INT".equals(signal) ? 15 : 40);
            if ("INT".equals(signal))
            {
                assertEquals(ExitCode.INTERRUPTED, client.exitValue());
                assertFalse(Files.exists(partial), "no .out.mp4.part left behind");
                assertEquals("failed", job.get("status").asText(), job.toString());
                assertEquals("cancelled", job.get("error").get("code").asText(), job.toString());
                assertTrue(job.get("frames_encoded").asLong() < 250, "cancelled, not run to its end: " + job);
                final long cleanDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                List<Path> left = jobFiles();
                while (!left.isEmpty() && System.nanoTime() < cleanDeadline)
                {
                    Thread.sleep(50);
                    left = jobFiles();
                }
                assertEquals(List.of(), left, "the job's upload, output and journal are removed once it stops");
                final TestClient.Run late = TestClient.run("--port", Integer.toString(server.port()), "--resume",
                    resume.group(1), "--out", dir.resolve("late.mp4").toString(), "--quiet");
                assertEquals(ExitCode.SERVER_ERROR, late.exitCode(), late.stderr());
                assertTrue(late.stderr().contains("cancelled"), late.stderr());
                return;
            }
            assertEquals("ok", job.get("status").asText(), "the job went on without its client: " + job);
            assertEquals(250, job.get("frames_encoded").asLong());
            final Path taken = dir.resolve("taken-up.mp4");
            final TestClient.Run resumed = TestClient.run("--port", Integer.toString(server.port()), "--resume",
                resume.group(1), "--out", taken.toString(), "--quiet");
            assertEquals(ExitCode.OK, resumed.exitCode(), resumed.stderr());
            assertEquals(250, resumed.result().get("frames").asInt());
            assertEquals(resumed.result().get("output_sha256").asText(), sha256(taken), "the whole output");
            VideoAssertions.assertBlurredCopy(video, taken, 250, 30);
            final TestClient.Run wrong = TestClient.run("--port", Integer.toString(server.port()), "--resume",
                "fwr_" + "A".repeat(22), "--out", dir.resolve("wrong.mp4").toString(), "--quiet");
            assertEquals(ExitCode.SERVER_ERROR, wrong.exitCode());
            assertTrue(wrong.stderr().contains("unknown_job"), wrong.stderr());
        }
    }

    static String sha256(final Path file) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private List<Path> jobFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("data")))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("job-")).toList();
        }
    }

    /** The server's one job as /metrics shows it once it is no longer running. */
    private static JsonNode awaitEnded(final int previewPort, final int seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode job = null;
        while (System.nanoTime() < deadline)
        {
            final JsonNode jobs = ServerFixture.metrics(previewPort).get("jobs");
            job = jobs.isEmpty() ? null : jobs.get(0);
            if (job != null && !"running".equals(job.get("status").asText()))
            {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the job still runs " + seconds + " s after its client went away: " + job);
    }
}
