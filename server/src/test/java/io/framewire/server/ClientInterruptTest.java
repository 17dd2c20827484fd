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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real client JVM stopped mid-job, by Ctrl-C or by SIGKILL: the server cancels the job at once (`failed`,
 * `client_gone` in /metrics, its files removed) instead of running it to the end for nobody; after Ctrl-C the
 * client exits 130 and leaves no partial output beside --out.
 */
class ClientInterruptTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "KILL"})
    void aClientStoppedMidJobCancelsItsJob(final String signal) throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 250, 25);
        // A paced server: the job takes the video's 10 s, so the signal comes mid-job.
        try (FramewireServer server = FramewireServer.start(ServerFixture.operated(ServerFixture.context(dir)
            .paced(true).previewPort(0), dir)))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final Process client = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
                ClientMain.class.getName(), "--port", Integer.toString(server.port()), "--video",
                video.toString(), "--out", out.toString(), "--protocol", "stream", "--quiet"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("client.log").toFile()).start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!Files.exists(partial) || Files.size(partial) == 0) && System.nanoTime() < deadline &&
                client.isAlive())
            {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(partial) && Files.size(partial) > 0, "output was arriving: " +
                Files.readString(dir.resolve("client.log")));
            new ProcessBuilder("kill", "-" + signal, Long.toString(client.pid())).start().waitFor();
            assertTrue(client.waitFor(20, TimeUnit.SECONDS), "the client ends on SIG" + signal);
            if ("INT".equals(signal))
            {
                assertEquals(ExitCode.INTERRUPTED, client.exitValue());
                assertFalse(Files.exists(partial), "no .out.mp4.part left behind");
            }
            assertFalse(Files.exists(out));

            final JsonNode job = awaitEnded(server.previewPort());
            assertEquals("failed", job.get("status").asText(), job.toString());
            assertEquals("client_gone", job.get("error").get("code").asText(), job.toString());
            assertTrue(job.get("frames_encoded").asLong() < 250, "cancelled, not run to its end: " + job);
            final long cleanDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<Path> left = jobFiles();
            while (!left.isEmpty() && System.nanoTime() < cleanDeadline)
            {
                Thread.sleep(50);
                left = jobFiles();
            }
            assertEquals(List.of(), left, "the job's upload, output and journal are removed once its stages stop");
        }
    }

    private List<Path> jobFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("data")))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("job-")).toList();
        }
    }

    /** The server's one job as /metrics shows it once it is no longer running. */
    private static JsonNode awaitEnded(final int previewPort) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
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
        throw new AssertionError("the job still runs 15 s after its client went away: " + job);
    }
}
