package io.framewire.server;

import io.framewire.client.ClientMain;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real servers behind a real nginx with ops/nginx's stream configuration: clients from four addresses are
 * spread over both, every output whole; a client killed mid-job is taken up through nginx from the same address,
 * which reaches the server that holds its job.
 */
class ServersBehindNginxTest
{
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
    private static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void clientsAreSpreadOverTwoServersAndAResumeFindsItsServer() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(NGINX) && Files.exists(STREAM_MODULE),
            "SKIPPED: needs Debian's nginx and libnginx-mod-stream (.ci/run installs them)");
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 100, 25);
        try (FramewireServer one = FramewireServer.start(server("one"));
            FramewireServer two = FramewireServer.start(server("two")))
        {
            final int port = ServerFixture.freePort();
            final String stream = Files.readString(OPS.resolve("nginx/framewire-stream.conf"))
                .replace("server 10.0.0.11:9090;", "server 127.0.0.1:" + one.port() + ";")
                .replace("server 10.0.0.12:9090;", "server 127.0.0.1:" + two.port() + ";")
                .replace("listen 9090;", "listen 127.0.0.1:" + port + ";");
            Files.writeString(dir.resolve("framewire-stream.conf"), stream);
            Files.writeString(dir.resolve("nginx.conf"), "load_module " + STREAM_MODULE + ";\n" +
                "daemon off;\nworker_processes 1;\npid " + dir.resolve("nginx.pid") + ";\n" +
                "error_log " + dir.resolve("error.log") + " info;\nevents { worker_connections 256; }\n" +
                "include " + dir.resolve("framewire-stream.conf") + ";\n");
            final Process nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-e",
                dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            try
            {
                awaitListening(port, nginx);
                final List<CompletableFuture<TestClient.Run>> clients = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    final String[] args = {"--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--source-address", "127.0.0." + (2 + i), "--video", video.toString(), "--out",
                        dir.resolve("out-" + i + ".mp4").toString(), "--quiet"};
                    clients.add(TestClient.start(args));
                }
                for (int i = 0; i < clients.size(); i++)
                {
                    final TestClient.Run run = clients.get(i).get(120, TimeUnit.SECONDS);
                    assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
                    assertEquals(100, run.result().get("frames").asInt());
                    assertEquals(run.result().get("output_sha256").asText(),
                        ClientInterruptTest.sha256(dir.resolve("out-" + i + ".mp4")));
                }
                final int onOne = ServerFixture.metrics(one.previewPort()).get("jobs").size();
                final int onTwo = ServerFixture.metrics(two.previewPort()).get("jobs").size();
                assertEquals(4, onOne + onTwo);
                assertTrue(onOne > 0 && onTwo > 0, "both servers took jobs: " + onOne + " and " + onTwo);

                // A client killed mid-job, taken up through nginx from its address.
                final Path partial = dir.resolve(".killed.mp4.part");
                final Process killed = new ProcessBuilder(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
                    ClientMain.class.getName(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--source-address", "127.0.0.3", "--video", video.toString(), "--out",
                    dir.resolve("killed.mp4").toString()))
                    .redirectError(dir.resolve("killed.log").toFile()).redirectOutput(dir.resolve("killed.out")
                        .toFile()).start();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((!Files.exists(partial) || Files.size(partial) == 0) && System.nanoTime() < deadline &&
                    killed.isAlive())
                {
                    Thread.sleep(20);
                }
                final Matcher token = Pattern.compile("--resume (fwr_[A-Za-z0-9_-]+)")
                    .matcher(Files.readString(dir.resolve("killed.log")));
                assertTrue(token.find(), Files.readString(dir.resolve("killed.log")));
                killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                final TestClient.Run resumed = TestClient.run("--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--source-address", "127.0.0.3", "--resume", token.group(1), "--out",
                    dir.resolve("taken-up.mp4").toString(), "--quiet");
                assertEquals(ExitCode.OK, resumed.exitCode(), resumed.stderr());
                assertEquals(100, resumed.result().get("frames").asInt());
                assertEquals(resumed.result().get("output_sha256").asText(),
                    ClientInterruptTest.sha256(dir.resolve("taken-up.mp4")));
            }
            finally
            {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private ServerContext server(final String name) throws Exception
    {
        return ServerFixture.operated(ServerFixture.context(dir.resolve(name)).paced(true).previewPort(0)
            .keepResultsS(600), dir.resolve(name));
    }

    private void awaitListening(final int port, final Process nginx) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && nginx.isAlive())
        {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port))
            {
                return;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nginx did not start: " + Files.readString(dir.resolve("error.log")) +
            Files.readString(dir.resolve("nginx.out")));
    }
}
