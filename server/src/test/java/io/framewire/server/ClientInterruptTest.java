package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ctrl-C of a real client JVM mid-job: exit 130, and no partial output left beside --out. */
class ClientInterruptTest
{
    @TempDir
    Path dir;

    @Test
    void anInterruptedClientLeavesNoPartialOutput() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 250, 25);
        // A paced server: the job takes the video's 10 s, so the interrupt comes mid-job.
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).paced(true)))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final Process client = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
                "io.framewire.client.ClientMain", "--port", Integer.toString(server.port()), "--video",
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
            new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start().waitFor();
            assertTrue(client.waitFor(20, TimeUnit.SECONDS), "the client ends on Ctrl-C");
            assertEquals(ExitCode.INTERRUPTED, client.exitValue());
            assertFalse(Files.exists(partial), "no .out.mp4.part left behind");
            assertFalse(Files.exists(out));
        }
    }
}
