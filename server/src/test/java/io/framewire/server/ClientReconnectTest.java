package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
            Relay relay = new Relay(server.port()))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final CompletableFuture<TestClient.Run> job = CompletableFuture.supplyAsync(() -> TestClient.run(
                "--host", "127.0.0.1", "--port", Integer.toString(relay.port()), "--video", video.toString(),
                "--out", out.toString()), runnable -> Thread.ofVirtual().start(runnable));
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

    /** Relays TCP connections to the server; {@link #cut()} breaks the open ones and takes new ones after. */
    private static final class Relay implements AutoCloseable
    {
        private final ServerSocket listener;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile int connections;

        Relay(final int serverPort) throws IOException
        {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(() ->
            {
                while (!listener.isClosed())
                {
                    try
                    {
                        final Socket client = listener.accept();
                        final Socket upstream = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                        connections++;
                        open.add(client);
                        open.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    }
                    catch (final IOException ex)
                    {
                        return;
                    }
                }
            });
        }

        private static void pump(final Socket from, final Socket to)
        {
            Thread.ofVirtual().start(() ->
            {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
                {
                    in.transferTo(out);
                }
                catch (final IOException ignored)
                {
                    // cut
                }
                finally
                {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            });
        }

        int port()
        {
            return listener.getLocalPort();
        }

        int connections()
        {
            return connections;
        }

        void cut()
        {
            open.forEach(Relay::closeQuietly);
            open.clear();
        }

        private static void closeQuietly(final Socket socket)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException
        {
            listener.close();
            cut();
        }
    }
}
