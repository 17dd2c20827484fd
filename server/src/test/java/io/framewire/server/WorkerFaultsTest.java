package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real worker processes killed, hung and failing mid-job: every frame still comes back exactly once, in order. */
class WorkerFaultsTest
{
    private static final int FRAMES = 200;

    @TempDir
    Path dir;

    @Test
    void aWorkerKilledOrHungMidJobLosesNoFrame() throws Exception
    {
        final Path video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 640, 360, FRAMES, 25);
        // Paced (decoded no faster than 25 fps, 8 s a job): a job outlasts the steps below on any machine.
        try (FramewireServer server = FramewireServer.start(context("crash").paced(true)))
        {
            final List<WorkerProcess> workers = new ArrayList<>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    workers.add(WorkerProcess.start(server.aeronDir(), dir.resolve("worker-" + i + ".log")));
                }
                for (final WorkerProcess worker : workers)
                {
                    worker.awaitConnected();
                }

                // SIGKILL one worker once the job is under way.
                final CompletableFuture<TestClient.Run> killed = job(server, video, dir.resolve("killed.mp4"));
                awaitEncoded(server, 10); // early: the stopped worker is still sent frames
                // The one that is sent frames (fast workers may leave others idle), stopped: it holds the frames it is
                // sent (the job cannot end without them) until it is killed with them.
                final WorkerProcess victim = busyWorker(server, workers);
                victim.signal("STOP");
                awaitInFlight(server, victim.pid());
                victim.kill();
                workers.remove(victim);
                victim.close();
                final TestClient.Run afterKill = killed.get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, afterKill.exitCode(), afterKill.stderr());
                assertEquals(FRAMES, afterKill.result().get("frames").asInt());
                VideoAssertions.assertBlurredCopy(video, dir.resolve("killed.mp4"), FRAMES,
                    VideoAssertions.MIN_PSNR_DB);
                final long retries = afterKill.result().get("retries").asLong();
                assertTrue(retries >= 1, "the killed worker's in-flight frames were sent again");
                final JsonNode journal = afterKill.result().get("journal");
                // A retry sent the input kept in memory (the output above is exact); the journal has records only.
                assertTrue(journal.get("records").asLong() > FRAMES, "a record per frame and progress: " + journal);
                assertTrue(journal.get("kb_appended").asDouble() < FRAMES, "no pixels in the journal: " + journal);

                // SIGSTOP another: its frames go elsewhere; when it wakes up, its late results are dropped.
                final CompletableFuture<TestClient.Run> hung = job(server, video, dir.resolve("hung.mp4"));
                awaitEncoded(server, 40);
                final WorkerProcess sleeper = workers.get(workers.size() - 1);
                sleeper.signal("STOP");
                final TestClient.Run afterHang = hung.get(120, TimeUnit.SECONDS);
                sleeper.signal("CONT");
                assertEquals(ExitCode.OK, afterHang.exitCode(), afterHang.stderr());
                assertEquals(FRAMES, afterHang.result().get("frames").asInt());
                VideoAssertions.assertBlurredCopy(video, dir.resolve("hung.mp4"), FRAMES, VideoAssertions.MIN_PSNR_DB);

                Thread.sleep(1000);
                final TestClient.Run next = job(server, video, dir.resolve("next.mp4")).get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, next.exitCode(), next.stderr());
                assertEquals(FRAMES, next.result().get("frames").asInt(), "no duplicate from the woken worker");
                final String[] journals = dir.resolve("crash").resolve("data").toFile()
                    .list((parent, name) -> name.endsWith(".journal"));
                assertNotNull(journals, "the server's data directory");
                assertEquals(0, journals.length, "finished jobs' journals are deleted");
            }
            finally
            {
                for (final WorkerProcess worker : workers)
                {
                    worker.close();
                }
            }
        }
    }

    @Test
    void aFrameOneWorkerFailsIsDoneByAnotherAndOneEveryWorkerFailsFailsItsJobByName() throws Exception
    {
        final Path video = dir.resolve("twenty.mp4");
        SyntheticVideo.write(video, 320, 240, 20, 25);
        final Path shortVideo = dir.resolve("five.mp4");
        SyntheticVideo.write(shortVideo, 320, 240, 5, 25);
        try (FramewireServer server = FramewireServer.start(context("fail"));
            WorkerProcess failing = WorkerProcess.start(server.aeronDir(), dir.resolve("failing.log"),
                "--fail-frames", "7"))
        {
            failing.awaitConnected();
            // The retry goes to another worker (here the server's embedded one), not back to the one that failed it.
            final TestClient.Run retried = job(server, video, dir.resolve("retried.mp4")).get(60, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, retried.exitCode(), retried.stderr());
            final JsonNode result = retried.result();
            assertEquals(20, result.get("frames").asInt());
            assertTrue(result.get("retries").asInt() >= 1, result.toString());
            long embedded = 0;
            for (final JsonNode share : result.get("workers"))
            {
                if (share.get("pid").asLong() == ProcessHandle.current().pid())
                {
                    embedded += share.get("frames").asLong();
                }
            }
            assertTrue(embedded >= 1, "the embedded worker took the retry: " + result.get("workers"));

            try (WorkerProcess alsoFailing = WorkerProcess.start(server.aeronDir(), dir.resolve("failing-2.log"),
                "--fail-frames", "7"))
            {
                alsoFailing.awaitConnected();
                final long start = System.nanoTime();
                final TestClient.Run failed = job(server, video, dir.resolve("failed.mp4")).get(60, TimeUnit.SECONDS);
                final double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(ExitCode.SERVER_ERROR, failed.exitCode());
                assertTrue(failed.stderr().contains("processing_failed") && failed.stderr().contains("frame 7") &&
                    failed.stderr().contains("4 attempts"), failed.stderr());
                assertTrue(seconds >= 0.7, "retries back off 100, 200, 400 ms: took " + seconds + " s");
            }

            final TestClient.Run next = job(server, shortVideo, dir.resolve("five-out.mp4")).get(60, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, next.exitCode(), next.stderr());
            assertEquals(5, next.result().get("frames").asInt());
        }
    }

    private ServerContext context(final String name) throws IOException
    {
        return ServerFixture.operated(ServerFixture.context(dir.resolve(name)).window(16).readTimeoutMs(30_000)
            .previewPort(0), dir.resolve(name));
    }

    /** Waits for the running job to have {@code frames} encoded. */
    private static void awaitEncoded(final FramewireServer server, final int frames) throws Exception
    {
        final Pattern encoded = Pattern.compile("^framewire_job_frames_encoded_total\\{[^}]*} ([0-9.E]+)$",
            Pattern.MULTILINE);
        final Pattern running = Pattern.compile("^framewire_jobs_running ([0-9.E]+)$", Pattern.MULTILINE);
        awaitPrometheus(server, 60, "the job did not get under way", text ->
        {
            final Matcher jobs = running.matcher(text);
            final boolean anyRunning = jobs.find() && Double.parseDouble(jobs.group(1)) > 0;
            final Matcher line = encoded.matcher(text);
            while (anyRunning && line.find())
            {
                final double value = Double.parseDouble(line.group(1));
                if (value >= frames && value < FRAMES)
                {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * The worker process the registry gives the most frames to (of free workers, it picks the first: with fast workers
     * one may take nearly all), once one has had some.
     */
    private static WorkerProcess busyWorker(final FramewireServer server, final List<WorkerProcess> workers)
        throws Exception
    {
        final WorkerProcess[] busy = new WorkerProcess[1];
        awaitPrometheus(server, 30, "no worker process was sent a frame", text ->
        {
            double most = 0;
            for (final WorkerProcess worker : workers)
            {
                final Matcher line = Pattern.compile("^framewire_worker_frames(?:_total)?\\{[^}]*pid=\"" +
                    worker.pid() + "\"[^}]*} ([0-9.E]+)$", Pattern.MULTILINE).matcher(text);
                if (line.find() && Double.parseDouble(line.group(1)) > most)
                {
                    most = Double.parseDouble(line.group(1));
                    busy[0] = worker;
                }
            }
            return most > 0;
        });
        return busy[0];
    }

    /** Waits until the worker of process {@code pid} has frames in flight. */
    private static void awaitInFlight(final FramewireServer server, final long pid) throws Exception
    {
        final Pattern inFlight = Pattern.compile("^framewire_worker_in_flight\\{[^}]*pid=\"" + pid +
            "\"[^}]*} ([0-9.E]+)$", Pattern.MULTILINE);
        awaitPrometheus(server, 30, "worker " + pid + " never had a frame in flight", text ->
        {
            final Matcher line = inFlight.matcher(text);
            return line.find() && Double.parseDouble(line.group(1)) > 0;
        });
    }

    /**
     * Reads the server's Prometheus text (made per request, where /metrics is made at most twice a second) 20 times a
     * second, within the preview's allowance, until {@code done} holds of it.
     */
    private static void awaitPrometheus(final FramewireServer server, final int seconds, final String failure,
        final Predicate<String> done) throws Exception
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                server.previewPort() + "/metrics/prometheus")).header("Authorization", "Bearer " +
                ServerFixture.METRICS_TOKEN).build();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline)
            {
                if (done.test(http.send(request, HttpResponse.BodyHandlers.ofString()).body()))
                {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError(failure);
    }

    private static CompletableFuture<TestClient.Run> job(final FramewireServer server, final Path video,
        final Path out)
    {
        return TestClient.start("--port", Integer.toString(server.port()),
            "--video", video.toString(), "--out", out.toString(), "--quiet");
    }
}
