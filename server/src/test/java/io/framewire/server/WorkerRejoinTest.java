package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker outlives its server: a real worker process whose server (and media driver) stops joins the server started
 * after it on the same Aeron directory, and does its work.
 */
class WorkerRejoinTest
{
    @TempDir
    Path dir;

    @Test
    void aWorkerJoinsTheNextServerOnItsAeronDirectory() throws Exception
    {
        final Path video = dir.resolve("in.mp4");
        SyntheticVideo.write(video, 320, 240, 20, 25);
        final ServerContext first = ServerFixture.context(dir.resolve("first"));
        try (WorkerProcess worker = startJoined(first))
        {
            try (FramewireServer second = FramewireServer.start(ServerFixture.context(dir.resolve("second"))
                .aeronDir(first.aeronDir())))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (worker.stdout().stream().filter(line -> line.contains("\"worker_connected\"")).count() < 2)
                {
                    assertTrue(System.nanoTime() < deadline, "the worker did not join the new server: " +
                        worker.stdout());
                    Thread.sleep(100);
                }
                assertTrue(worker.stdout().stream().anyMatch(line -> line.contains("\"worker_rejoined\"")));
                final TestClient.Run run = TestClient.run("--port", Integer.toString(second.port()), "--video",
                    video.toString(), "--out", dir.resolve("out.mp4").toString(), "--quiet");
                assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
                long byWorker = 0;
                for (final JsonNode share : run.result().get("workers"))
                {
                    if (share.get("pid").asLong() == worker.pid())
                    {
                        byWorker += share.get("frames").asLong();
                    }
                }
                assertTrue(byWorker > 0, "the rejoined worker did the work: " + run.result().get("workers"));
            }
        }
    }

    /** A worker joined to a first server, which is then stopped. */
    private WorkerProcess startJoined(final ServerContext context) throws Exception
    {
        try (FramewireServer server = FramewireServer.start(context))
        {
            final WorkerProcess worker = WorkerProcess.start(server.aeronDir(), dir.resolve("worker.log"));
            worker.awaitConnected();
            return worker;
        }
    }
}
