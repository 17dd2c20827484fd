package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import io.framewire.transport.TransportConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import java.nio.file.Files;

/**
 * A worker that joins over UDP, as one on another host does, here over loopback: its own media driver, tasks
 * and results across UDP sockets. The two-host run in network namespaces is {@link TwoHostsTest}.
 */
class UdpWorkerTest
{
    private static final int FRAMES = 40;

    @TempDir
    Path dir;

    /** Raw pixels, and LZ4-compressed both ways (lossless: the same output). */
    @ParameterizedTest(name = "frames {0}")
    @ValueSource(strings = {"raw", "lz4"})
    void aWorkerJoinedOverUdpProcessesEveryFrame(final String encoding) throws Exception
    {
        final Path video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 1280, 720, FRAMES, 25);
        final int udpPort;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            udpPort = probe.getLocalPort();
        }
        final String endpoint = "127.0.0.1:" + udpPort;
        final String workerAeronDir = TransportConfig.AERON_DIR_DEFAULT + "-test-worker-" + UUID.randomUUID();
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).window(16)
            .readTimeoutMs(30_000).workerRateLimit(0).workerEndpoint(endpoint));
            WorkerProcess worker = WorkerProcess.start(workerAeronDir, dir.resolve("worker.log"), "--server", endpoint,
                "--frame-encoding", encoding))
        {
            worker.awaitConnected();
            final TestClient.Run run = TestClient.run("--port", Integer.toString(server.port()), "--video",
                video.toString(), "--out", dir.resolve("out.mp4").toString(), "--quiet");
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final JsonNode workers = run.result().get("workers");
            assertEquals(1, workers.size(), "only the UDP worker worked (the embedded one stands by): " + workers);
            assertEquals(worker.pid(), workers.get(0).get("pid").asLong());
            assertEquals(FRAMES, workers.get(0).get("frames").asInt());
            VideoAssertions.assertBlurredCopy(video, dir.resolve("out.mp4"), FRAMES, VideoAssertions.MIN_PSNR_DB);
        }
        // Stopped (SIGTERM), the worker closes its own media driver, which deletes its files from /dev/shm.
        assertFalse(Files.exists(Path.of(workerAeronDir)), workerAeronDir + " left behind");
    }

    /** With --worker-secret-file, a worker proving the secret works, and one with another secret never joins. */
    @Test
    void onlyWorkersWithTheSecretJoin() throws Exception
    {
        final Path video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 320, 240, 20, 25);
        final Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef-good\n");
        final Path other = Files.writeString(dir.resolve("other"), "0123456789abcdef0123456789abcdef-evil\n");
        final int udpPort;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            udpPort = probe.getLocalPort();
        }
        final String endpoint = "127.0.0.1:" + udpPort;
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).readTimeoutMs(30_000)
            .workerEndpoint(endpoint).workerSecret(secret));
            WorkerProcess good = WorkerProcess.start(TransportConfig.AERON_DIR_DEFAULT + "-test-worker-" +
                UUID.randomUUID(), dir.resolve("good.log"), "--server", endpoint, "--worker-secret-file",
                secret.toString());
            WorkerProcess evil = WorkerProcess.start(TransportConfig.AERON_DIR_DEFAULT + "-test-worker-" +
                UUID.randomUUID(), dir.resolve("evil.log"), "--server", endpoint, "--worker-secret-file",
                other.toString()))
        {
            good.awaitConnected();
            final TestClient.Run run = TestClient.run("--port", Integer.toString(server.port()), "--video",
                video.toString(), "--out", dir.resolve("secret.mp4").toString(), "--quiet");
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final JsonNode workers = run.result().get("workers");
            assertEquals(1, workers.size(), workers.toString());
            assertEquals(good.pid(), workers.get(0).get("pid").asLong(), "the worker with the secret did it all");
            assertTrue(evil.stdout().stream().noneMatch(line -> line.contains("\"worker_connected\"")),
                "the worker with another secret was never given a task stream: " + evil.stdout());
        }
    }
}
