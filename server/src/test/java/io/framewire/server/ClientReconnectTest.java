package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The network between client and server breaks mid-job, after the upload (a real TCP relay in between, whose
 * connections the test cuts): the job goes on at the server, the client connects again by itself and takes the
 * output up where it was, and the output is whole, every frame once, as if nothing happened.
 */
class ClientReconnectTest
{
    @TempDir
    Path dir;

    @Test
    void aBrokenConnectionIsMadeAgainAndTheOutputGoesOnWhereItWas() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 200, 25);
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).paced(true)
            .keepResultsS(600));
            TcpRelay relay = new TcpRelay(server.port(), 0))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final CompletableFuture<TestClient.Run> job = TestClient.start(
                "--host", "127.0.0.1", "--port", Integer.toString(relay.port()), "--video", video.toString(),
                "--out", out.toString());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!Files.exists(partial) || Files.size(partial) < 10_000) && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(partial) && Files.size(partial) >= 10_000, "output was arriving");
            relay.cut();
            final TestClient.Run run = job.get(90, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertTrue(run.stderr().contains("connecting again") && run.stderr().contains("connected again"),
                run.stderr());
            assertTrue(relay.connections() >= 2, "a second connection: " + relay.connections());
            assertEquals(200, run.result().get("frames").asInt());
            assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
            VideoAssertions.assertBlurredCopy(video, out, 200, 30);
        }
    }
}
