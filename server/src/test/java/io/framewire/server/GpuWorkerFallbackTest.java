package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The GPU worker on a host without a usable CUDA device (this one, and CI): it says why in one line, joins, and does
 * the job with the CPU filters.
 */
class GpuWorkerFallbackTest
{
    private static final int FRAMES = 20;

    @TempDir
    Path dir;

    @Test
    void fallsBackToTheCpuFiltersAndSaysWhy() throws Exception
    {
        final Path video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 640, 360, FRAMES, 25);
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).window(16)
            .readTimeoutMs(30_000).workerRateLimit(0));
            WorkerProcess worker = WorkerProcess.start("io.framewire.gpu.GpuWorkerMain", server.aeronDir(),
                dir.resolve("worker.log")))
        {
            worker.awaitConnected();
            final String selection = worker.stdout().stream().filter(line -> line.contains("gpu_selection"))
                .findFirst().orElseThrow();
            final JsonNode said = new ObjectMapper().readTree(selection);
            assertEquals(0, said.get("cuda_devices").asInt(), selection);
            assertEquals("cpu", said.get("filters").asText(), selection);
            final String reason = said.get("reason").asText();
            assertTrue(reason.startsWith("no NVIDIA driver") || reason.startsWith("a CUDA library is missing") ||
                reason.startsWith("OpenCV on the classpath is built without CUDA"), reason);
            assertTrue(worker.log().contains("GPU worker: " + reason + "; running the CPU filters"),
                "the same reason, in one line of the log");
            final TestClient.Run run = TestClient.run("--port", Integer.toString(server.port()), "--video",
                video.toString(), "--out", dir.resolve("out.mp4").toString(), "--quiet");
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final JsonNode workers = run.result().get("workers");
            assertEquals(1, workers.size(), workers.toString());
            assertEquals(worker.pid(), workers.get(0).get("pid").asLong());
            VideoAssertions.assertBlurredCopy(video, dir.resolve("out.mp4"), FRAMES, VideoAssertions.MIN_PSNR_DB);
        }
    }
}
