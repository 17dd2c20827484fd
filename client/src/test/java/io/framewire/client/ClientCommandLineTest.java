package io.framewire.client;

import io.framewire.codec.ControlMessage;
import io.framewire.codec.FileSender;
import io.framewire.codec.MessageStream;
import io.framewire.codec.sbe.FileChunkEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.samples.SyntheticVideo;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's command line on its own: usage errors before anything is sent, a server that is not there, and a
 * stand-in server that sends a damaged download. The end-to-end tests in server/ run it against a real server.
 */
class ClientCommandLineTest
{
    @TempDir
    static Path dir;

    private static Path video;

    /** One client run: its exit code and what it printed. */
    private record Run(int exitCode, String stdout, String stderr)
    {
    }

    @BeforeAll
    static void makeVideo() throws Exception
    {
        video = dir.resolve("small.mp4");
        SyntheticVideo.write(video, 160, 120, 10, 25);
    }

    private static Run run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = ClientMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int unusedPort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0))
        {
            return probe.getLocalPort();
        }
    }

    @Test
    void usageErrorsAreCaughtBeforeConnecting() throws Exception
    {
        final String port = Integer.toString(unusedPort()); // a usage error must win over the missing server
        assertEquals(ExitCode.USAGE, run("--port", port, "--out", "x.mp4").exitCode(), "--video is required");
        assertEquals(ExitCode.USAGE, run("--port", port, "--video", video.toString(), "--ipv4", "--ipv6").exitCode());
        assertEquals(ExitCode.USAGE, run("--port", port, "--video", dir.resolve("missing.mp4").toString()).exitCode());
        assertEquals(ExitCode.USAGE,
            run("--port", port, "--video", video.toString(), "--processing", "sharpen").exitCode());
        final Path empty = Files.createFile(dir.resolve("empty.mp4"));
        assertEquals(ExitCode.USAGE, run("--port", port, "--video", empty.toString()).exitCode(), "zero bytes");
        final Run badOut = run("--port", port, "--video", video.toString(), "--out",
            dir.resolve("no-such-dir").resolve("out.mp4").toString());
        assertEquals(ExitCode.IO_ERROR, badOut.exitCode(), badOut.stderr());
        assertTrue(badOut.stderr().contains("there is no directory"), badOut.stderr());
        assertEquals(1, badOut.stderr().lines().count(), "one line: " + badOut.stderr());
    }

    @Test
    void noServerIsOneLineAndItsOwnCode() throws Exception
    {
        final Run refused = run("--port", Integer.toString(unusedPort()), "--video", video.toString());
        assertEquals(ExitCode.CANNOT_CONNECT, refused.exitCode());
        assertTrue(refused.stderr().startsWith("framewire client: cannot connect"), refused.stderr());
        assertEquals(1, refused.stderr().lines().count(), "one line: " + refused.stderr());
        assertEquals("", refused.stdout(), "no result");
    }

    /** What a stand-in server does once it has taken a client's whole upload. */
    @FunctionalInterface
    private interface AfterUpload
    {
        void reply(Socket socket, MessageStream stream) throws IOException;
    }

    /**
     * Runs the client against a stand-in server on loopback that answers the handshake with {@code ready}, takes the
     * upload, then does {@code then}; returns the client's run.
     */
    private static Run againstStandIn(final Path out, final AfterUpload then) throws Exception
    {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final CompletableFuture<Void> served = CompletableFuture.runAsync(() ->
            {
                try (Socket socket = fake.accept();
                    MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(),
                        4 << 20))
                {
                    stream.read();
                    stream.write(new ControlMessage.Ready("1", FileSender.DEFAULT_CHUNK_BYTES, 0, null, null));
                    stream.flush();
                    do
                    {
                        stream.read();
                    }
                    while (!stream.isJson());
                    then.reply(socket, stream);
                }
                catch (final IOException ignored)
                {
                    // the client hangs up
                }
            });
            final Run run = run("--host", "127.0.0.1", "--port", Integer.toString(fake.getLocalPort()),
                "--video", video.toString(), "--out", out.toString(), "--quiet");
            served.get(10, TimeUnit.SECONDS);
            return run;
        }
    }

    @Test
    void aDamagedDownloadIsAChecksumFailureAndLeavesNoOutput() throws Exception
    {
        final Path out = dir.resolve("damaged.mp4");
        // The stand-in answers with a file chunk whose CRC32C is wrong.
        final Run run = againstStandIn(out, (socket, stream) ->
        {
            final byte[] data = {1, 2, 3};
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
            final FileChunkEncoder chunk = new FileChunkEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .sequence(0).crc32c(1).putData(data, 0, data.length);
            stream.write(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + chunk.encodedLength());
            stream.flush();
            socket.getInputStream().read();
        });
        assertEquals(ExitCode.CHECKSUM, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("checksum_mismatch"), run.stderr());
        assertFalse(Files.exists(out), "nothing saved");
        assertFalse(Files.exists(dir.resolve(".damaged.mp4.part")), "no partial output left");
    }

    @Test
    void aServerThatVanishesMidJobIsConnectionLostInOneLine() throws Exception
    {
        final Path out = dir.resolve("lost.mp4");
        // The stand-in goes away once it has the upload, as a crashed server would.
        final Run run = againstStandIn(out, (socket, stream) -> { });
        assertEquals(ExitCode.CONNECTION_LOST, run.exitCode(), run.stderr());
        assertTrue(run.stderr().startsWith("framewire client: connection_lost: "), run.stderr());
        assertEquals(1, run.stderr().lines().count(), "one line: " + run.stderr());
        assertFalse(Files.exists(out), "nothing saved");
        assertFalse(Files.exists(dir.resolve(".lost.mp4.part")), "no partial output left");
    }
}
