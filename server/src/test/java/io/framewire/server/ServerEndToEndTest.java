package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.codec.ControlMessage;
import io.framewire.codec.Handshake;
import io.framewire.codec.JsonMessages;
import io.framewire.codec.MessageStream;
import io.framewire.codec.sbe.FileChunkEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.samples.SyntheticVideo;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole path with real parts: a client over a real TCP socket, the server with its embedded Aeron media
 * driver, a separate worker process, FFmpeg decode and H.264 encode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerEndToEndTest
{
    private static final int FRAMES = 50;

    @TempDir
    static Path dir;

    private Path video;
    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture(c -> c.window(16).thumbnails(5)).workers(1);

    @BeforeAll
    void start() throws Exception
    {
        video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 640, 360, FRAMES, 25);
    }

    @Test
    void videoComesBackBlurredWithEveryFrameInOrder() throws Exception
    {
        final Path output = dir.resolve("blurred.mp4");
        final TestClient.Run run = client("--host", "::1", "--video", video.toString(), "--processing", "blur",
            "--out", output.toString(), "--quiet");
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());

        final JsonNode result = JsonMessages.MAPPER.readTree(run.stdout());
        assertEquals("result", result.get("type").asText());
        assertEquals(FRAMES, result.get("frames").asInt());
        assertEquals(640, result.get("width").asInt());
        assertEquals(360, result.get("height").asInt());
        assertEquals(0, result.get("retries").asInt());
        assertEquals(Files.size(output), result.get("output_bytes").asLong());
        // The frames went through the external worker process. (The server's embedded worker takes over only
        // while no external worker is alive, e.g. if a loaded machine delays the worker's heartbeats past 3 s.)
        final JsonNode workers = result.get("workers");
        long total = 0;
        long external = 0;
        for (final JsonNode share : workers)
        {
            total += share.get("frames").asLong();
            if (share.get("pid").asLong() == SERVER.worker(0).pid())
            {
                external += share.get("frames").asLong();
            }
        }
        assertEquals(FRAMES, total, "every frame processed exactly once: " + workers);
        assertTrue(external > 0, "the worker process did the work: " + workers);

        VideoAssertions.assertBlurredCopy(video, output, FRAMES, VideoAssertions.MIN_PSNR_DB);
        assertDataDirEmpty();
    }

    @Test
    void garbageGetsAnErrorAndTheServerServesTheNextClientOverIpv4() throws Exception
    {
        final ControlMessage.Error httpReply =
            sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("message_too_large", httpReply.code());
        assertTrue(httpReply.message().contains("length"), httpReply.message());

        final byte[] random = new byte[36];
        new Random(7).nextBytes(random);
        random[0] = 0;
        random[1] = 0;
        random[2] = 0;
        random[3] = 32;
        random[4] = 5; // not '{': decoded as SBE, whose header will not match
        final ControlMessage.Error garbageReply = sendRaw(random);
        assertEquals("bad_message", garbageReply.code());

        final Path output = dir.resolve("after-garbage.mp4");
        final TestClient.Run run = client("--host", "127.0.0.1", "--ipv4", "--video", video.toString(),
            "--out", output.toString(), "--quiet");
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        assertEquals(FRAMES, JsonMessages.MAPPER.readTree(run.stdout()).get("frames").asInt());
    }

    @Test
    void uploadWithWrongChecksumIsRejectedAndLeavesNoFiles() throws Exception
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.port());
            MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(), 1 << 20))
        {
            stream.write(new Handshake(1, "blur", "file", "x.mp4", 3000, Map.of()));
            stream.flush();
            stream.read();
            assertInstanceOf(ControlMessage.Ready.class, stream.json());

            final byte[] data = new byte[3000];
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
            final FileChunkEncoder chunk = new FileChunkEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .sequence(0)
                .crc32c(12345)
                .putData(data, 0, data.length);
            stream.write(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + chunk.encodedLength());
            stream.flush();
            stream.read();
            final ControlMessage.Error error = assertInstanceOf(ControlMessage.Error.class, stream.json());
            assertEquals("checksum_mismatch", error.code());
        }
        assertDataDirEmpty();
    }

    @Test
    void fileThatIsNotAVideoIsRefused() throws Exception
    {
        final Path text = Files.writeString(dir.resolve("notes.mp4"), "these are not the frames you are looking for\n"
            .repeat(200));
        final TestClient.Run run = client("--host", "::1", "--video", text.toString(), "--out",
            dir.resolve("never.mp4").toString(), "--quiet");
        assertEquals(ExitCode.SERVER_ERROR, run.exitCode());
        assertTrue(run.stderr().contains("not_video"), run.stderr());
        assertTrue(Files.notExists(dir.resolve("never.mp4")));
        assertDataDirEmpty();
    }

    @Test
    void unknownProcessingIsRefusedBeforeUpload() throws Exception
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.port());
            MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(), 1 << 20))
        {
            stream.write(new Handshake(1, "sharpen", "file", "x.mp4", 3000, Map.of()));
            stream.flush();
            stream.read();
            final ControlMessage.Error error = assertInstanceOf(ControlMessage.Error.class, stream.json());
            assertEquals("unknown_processing", error.code());
            assertTrue(error.message().contains("sharpen"), error.message());
        }
    }

    private ControlMessage.Error sendRaw(final byte[] bytes) throws IOException
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.port());
            MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(), 1 << 20))
        {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            stream.read();
            return assertInstanceOf(ControlMessage.Error.class, stream.json());
        }
    }

    private TestClient.Run client(final String... args)
    {
        return TestClient.run(Stream.concat(Stream.of("--port", Integer.toString(SERVER.port())), Stream.of(args))
            .toArray(String[]::new));
    }

    private void assertDataDirEmpty() throws Exception
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (true)
        {
            try (Stream<Path> files = Files.list(SERVER.dataDir()))
            {
                // preview/ keeps the outputs of the last finished jobs for the preview server, by design; kept/ (what
                // waits for a resume) is empty with the fixture's --keep-results 0.
                final var left = files.filter(f -> !f.getFileName().toString().equals("preview"))
                    .filter(f -> !(f.getFileName().toString().equals("kept") && isEmptyDirectory(f))).toList();
                if (left.isEmpty())
                {
                    return;
                }
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("temporary files left: " + left);
                }
            }
            Thread.sleep(50);
        }
    }


    private static boolean isEmptyDirectory(final Path dir)
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
