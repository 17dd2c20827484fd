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
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Many clients, both protocols, every client flag and exit code, and hostile or broken clients. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolHardeningTest
{
    @TempDir
    static Path dir;

    private Path small;
    private Path mkv;
    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture(c ->
        c.maxUploadBytes(64L << 20).readTimeoutMs(4_000).thumbnails(5));

    @BeforeAll
    void start() throws Exception
    {
        small = dir.resolve("small.mp4");
        SyntheticVideo.write(small, 320, 240, 30, 25);
        mkv = dir.resolve("input.mkv");
        SyntheticVideo.write(mkv, 640, 360, 300, 25);
    }

    @Test
    void eightConcurrentClientsAllGetTheirOwnCorrectVideo() throws Exception
    {
        final List<CompletableFuture<TestClient.Run>> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            final Path out = dir.resolve("concurrent-" + i + ".mp4");
            final String protocol = i % 2 == 0 ? "file" : "stream";
            runs.add(CompletableFuture.supplyAsync(() -> client("--video", small.toString(), "--out", out.toString(),
                "--protocol", protocol, "--quiet"), runnable -> Thread.ofVirtual().start(runnable)));
        }
        for (int i = 0; i < 8; i++)
        {
            final TestClient.Run run = runs.get(i).get(180, TimeUnit.SECONDS);
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertEquals(30, JsonMessages.MAPPER.readTree(run.stdout()).get("frames").asInt());
            VideoAssertions.assertBlurredCopy(small, dir.resolve("concurrent-" + i + ".mp4"), 30,
                VideoAssertions.MIN_PSNR_DB);
        }
    }

    @Test
    void fileAndStreamProtocolsGiveTheSameOutput() throws Exception
    {
        final JsonNode file = ok("--video", mkv.toString(), "--protocol", "file", "--out",
            dir.resolve("f.mp4").toString());
        final JsonNode stream = ok("--video", mkv.toString(), "--protocol", "stream", "--out",
            dir.resolve("s.mp4").toString());
        assertEquals(300, stream.get("frames").asInt());
        assertEquals("stream", stream.get("protocol").asText());
        assertEquals(file.get("output_sha256").asText(), stream.get("output_sha256").asText());
        assertTrue(stream.get("input_complete").asBoolean());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"input.mkv", "faststart.mp4", "fragmented.mp4"})
    void streamedOutputArrivesBeforeTheUploadEnds(final String name) throws Exception
    {
        final byte[] video = Files.readAllBytes(streamable(name));
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            stream.write(new Handshake(1, "blur", "stream", name, video.length, Map.of()));
            stream.flush();
            stream.read();
            assertInstanceOf(ControlMessage.Ready.class, stream.json());

            // A reader notes how much had been uploaded when the first piece of output came back.
            final AtomicLong uploaded = new AtomicLong();
            final AtomicLong uploadedAtFirstOutput = new AtomicLong(-1);
            final CountDownLatch firstOutput = new CountDownLatch(1);
            final AtomicReference<ControlMessage.Progress> lastProgressBeforeOutput =
                new AtomicReference<>();
            final CompletableFuture<ControlMessage.Result> result = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    while (true)
                    {
                        stream.read();
                        if (!stream.isJson())
                        {
                            uploadedAtFirstOutput.compareAndSet(-1, uploaded.get());
                            firstOutput.countDown();
                        }
                        else if (stream.json() instanceof ControlMessage.Result done)
                        {
                            return done;
                        }
                        else if (stream.json() instanceof ControlMessage.Progress progress &&
                            firstOutput.getCount() > 0)
                        {
                            lastProgressBeforeOutput.set(progress);
                        }
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }, runnable -> Thread.ofVirtual().start(runnable));

            // Upload all but the last 4 KiB as a slow link would, then trickle the rest (64 bytes every 250 ms, up to
            // 64 s, each piece well within the server's 4 s read timeout) until output comes: a server that waited for
            // the whole upload gives nothing in that time, while a loaded machine that is merely slow still passes.
            final int heldBack = video.length - 4 * 1024;
            long sequence = 0;
            for (int offset = 0; offset < heldBack; offset += 64 * 1024)
            {
                final int end = Math.min(heldBack, offset + 64 * 1024);
                sequence = sendChunks(stream, video, offset, end, sequence);
                uploaded.set(end);
                Thread.sleep(20);
            }
            int offset = heldBack;
            while (offset < video.length && !firstOutput.await(250, TimeUnit.MILLISECONDS))
            {
                final int end = Math.min(video.length, offset + 64);
                uploaded.set(end);
                sequence = sendChunks(stream, video, offset, end, sequence);
                offset = end;
            }
            sendChunks(stream, video, offset, video.length, sequence);
            uploaded.set(video.length);
            stream.write(new ControlMessage.Eof(video.length, sha256(video)));
            stream.flush();
            assertEquals(300, result.get(60, TimeUnit.SECONDS).body().get("frames").asInt());
            final long atFirstOutput = uploadedAtFirstOutput.get();
            assertTrue(atFirstOutput >= 0 && atFirstOutput < video.length,
                "output came back after " + atFirstOutput + " of " + video.length + " bytes were uploaded; the last " +
                "progress before it: " + lastProgressBeforeOutput.get());
        }
    }

    /**
     * The 300-frame Matroska input, or the same video as an MP4 with its index first (faststart, or fragmented),
     * remuxed by the ffmpeg CLI: the MP4s stream through the server's seekable reader of the growing upload.
     */
    private Path streamable(final String name) throws Exception
    {
        if (name.equals(mkv.getFileName().toString()))
        {
            return mkv;
        }
        final Path mp4 = dir.resolve(name);
        if (!Files.exists(mp4))
        {
            final String flags = name.startsWith("faststart") ? "+faststart" : "frag_keyframe+empty_moov";
            final Process ffmpeg;
            try
            {
                ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-nostdin", "-y", "-i", mkv.toString(), "-c",
                    "copy", "-movflags", flags, mp4.toString()).redirectErrorStream(true).start();
            }
            catch (final IOException ex)
            {
                Assumptions.abort("needs the ffmpeg CLI (apt-get install ffmpeg): " + ex);
                throw ex;
            }
            final String output = new String(ffmpeg.getInputStream().readAllBytes());
            assertEquals(0, ffmpeg.waitFor(), output);
        }
        return mp4;
    }

    @Test
    void everyProtocolMistakeGetsItsErrorCode() throws Exception
    {
        assertEquals("bad_message", errorFor(json("{\"type\":\"handshake\",")));
        assertEquals("unknown_type", errorFor(json("{\"type\":\"hello\"}")));
        assertEquals("unsupported_version", errorFor(JsonMessages.encode(
            new Handshake(2, "blur", "file", "a.mp4", 10, Map.of()))));
        assertEquals("unsupported_protocol", errorFor(JsonMessages.encode(
            new Handshake(1, "blur", "ftp", "a.mp4", 10, Map.of()))));
        assertEquals("bad_handshake", errorFor(JsonMessages.encode(
            new Handshake(1, "blur", "file", "a.mp4", 0, Map.of()))));
        assertEquals("upload_too_large", errorFor(JsonMessages.encode(
            new Handshake(1, "blur", "file", "a.mp4", 1L << 40, Map.of()))));
        assertEquals("unexpected_message", errorFor(JsonMessages.encode(new ControlMessage.Eof(1, "00"))));
        assertEquals("message_too_large", errorFor(new byte[70_000]));
        assertEquals("message_too_large", errorForPrefix(0x8000_0000), "a prefix of 2^31 is unsigned, not negative");
        assertEquals("message_too_large", errorForPrefix(0xFFFF_FFFF));
        assertEquals("bad_message", errorForPrefix(0), "an empty message is no message");
        assertEquals("bad_parameter", errorFor(JsonMessages.encode(
            new Handshake(1, "blur", "file", "a.mp4", 10, Map.of("ksize", "4")))));
        assertDataDirClean();
    }

    @Test
    void pastTheJobLimitAClientIsToldBusy() throws Exception
    {
        try (FramewireServer one = FramewireServer.start(ServerFixture.context(dir.resolve("one")).maxJobs(1)
            .readTimeoutMs(4_000));
            Socket first = new Socket(InetAddress.getLoopbackAddress(), one.port());
            MessageStream firstStream = messages(first);
            Socket second = new Socket(InetAddress.getLoopbackAddress(), one.port());
            MessageStream secondStream = messages(second))
        {
            firstStream.write(new Handshake(1, "blur", "file", "a.mkv", 1000, Map.of()));
            firstStream.flush();
            firstStream.read();
            assertInstanceOf(ControlMessage.Ready.class, firstStream.json(), "the first job holds the only slot");
            secondStream.write(new Handshake(1, "blur", "file", "b.mkv", 1000, Map.of()));
            secondStream.flush();
            secondStream.read();
            assertEquals("busy", assertInstanceOf(ControlMessage.Error.class, secondStream.json()).code());
        }
    }

    @Test
    void aTruncatedVideoIsProcessedUpToTheCutAndTheResultSaysSo() throws Exception
    {
        final byte[] whole = Files.readAllBytes(mkv);
        final Path cut = Files.write(dir.resolve("cut.mkv"), Arrays.copyOf(whole, whole.length / 2));
        final TestClient.Run run = client("--video", cut.toString(), "--out", dir.resolve("cut-out.mp4").toString());
        assertEquals(ExitCode.INCOMPLETE, run.exitCode(), "exit 0 only for the whole input: " + run.stderr());
        final JsonNode result = run.result();
        final int frames = result.get("frames").asInt();
        assertTrue(frames > 50 && frames < 300, "frames before the cut: " + frames);
        assertEquals("incomplete", result.get("status").asText());
        assertFalse(result.get("input_complete").asBoolean(), result.toString());
        assertTrue(Files.exists(dir.resolve("cut-out.mp4")), "the frames that decoded are saved");
        assertEquals(300, result.get("input_frames_declared").asInt());
    }

    @Test
    void disconnectsMidUploadAndMidDownloadLeaveNothingBehind() throws Exception
    {
        final byte[] video = Files.readAllBytes(mkv);
        final String resumeToken;
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            stream.write(new Handshake(1, "blur", "file", "input.mkv", video.length, Map.of()));
            stream.flush();
            stream.read();
            resumeToken = ((ControlMessage.Ready)stream.json()).resumeToken();
            sendChunks(stream, video, 0, video.length / 3, 0);
        }
        // What arrived waits for the client to send the rest: the upload so far and the job's record, no more.
        final Path data = SERVER.dataDir();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((jobFiles(data).size() != 2 || Files.size(jobFiles(data).get(1)) < video.length / 3) &&
            System.nanoTime() < deadline)
        {
            Thread.sleep(20); // the record is on disk first, then the chunks arrive
        }
        final List<Path> waiting = jobFiles(data);
        assertEquals(2, waiting.size(), "the upload and its record: " + waiting);
        assertTrue(waiting.get(0).toString().endsWith(".json") && waiting.get(1).toString().endsWith(".upload"));
        assertTrue(Files.size(waiting.get(1)) > 0 && Files.size(waiting.get(1)) <= video.length / 3);
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            // The client comes back, is asked for the rest, and cancels instead: nothing is left.
            stream.write(new ControlMessage.Resume(resumeToken, 0, ""));
            stream.flush();
            stream.read();
            assertEquals(Files.size(waiting.get(1)), ((ControlMessage.Ready)stream.json()).uploadOffset());
            stream.write(new ControlMessage.Cancel());
            stream.flush();
        }
        assertDataDirClean();
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            stream.write(new Handshake(1, "blur", "file", "input.mkv", video.length, Map.of()));
            stream.flush();
            stream.read();
            sendChunks(stream, video, 0, video.length, 0);
            stream.write(new ControlMessage.Eof(video.length, sha256(video)));
            stream.flush();
            do
            {
                stream.read();
            }
            while (stream.isJson());
            // One output chunk arrived; hang up mid-download.
        }
        assertDataDirClean();
        assertEquals(30, ok("--video", small.toString(), "--out", dir.resolve("after.mp4").toString())
            .get("frames").asInt());
    }

    /** A file the data directory cannot hold (with its output) now is refused before a byte of it is stored. */
    @Test
    void anUploadTheDiskCannotHoldIsRefused() throws Exception
    {
        final Path own = dir.resolve("disk");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(own).maxUploadBytes(1L << 60)))
        {
            final long free = Files.getFileStore(own.resolve("data")).getUsableSpace();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                MessageStream stream = messages(socket))
            {
                stream.write(new Handshake(1, "blur", "file", "huge.mkv", free, Map.of()));
                stream.flush();
                stream.read();
                final ControlMessage reply = stream.json();
                assertEquals("no_space", assertInstanceOf(ControlMessage.Error.class, reply).code());
                assertTrue(((ControlMessage.Error)reply).message().contains("MiB free"), reply.toString());
            }
            assertEquals(List.of(), jobFiles(own.resolve("data")));
            final TestClient.Run small = TestClient.run("--port", Integer.toString(server.port()), "--video",
                mkv.toString(), "--out", own.resolve("fits.mp4").toString(), "--quiet");
            assertEquals(ExitCode.OK, small.exitCode(), "a file that fits is taken: " + small.stderr());
        }
    }

    @Test
    void aClientThatTricklesBytesIsDropped() throws Exception
    {
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(200).array());
            out.flush();
            try
            {
                for (int i = 0; i < 60; i++)
                {
                    out.write('{');
                    out.flush();
                    Thread.sleep(150);
                }
            }
            catch (final IOException closedByServer)
            {
                // expected once the deadline passed
            }
            stream.read();
            final ControlMessage.Error error = assertInstanceOf(ControlMessage.Error.class, stream.json());
            assertEquals("bad_message", error.code());
            assertTrue(error.message().contains("not complete"), error.message());
        }
    }

    @Test
    void fuzzedMessagesNeverStopTheServer() throws Exception
    {
        final Random random = new Random(42);
        final byte[] valid = JsonMessages.encode(new Handshake(1, "blur", "file", "a.mp4", 1000, Map.of()));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int i = 0; i < 200 && System.nanoTime() < deadline; i++)
        {
            final byte[] payload;
            switch (i % 4)
            {
                case 0 ->
                {
                    payload = new byte[random.nextInt(64) + 1];
                    random.nextBytes(payload);
                }
                case 1 ->
                {
                    payload = valid.clone();
                    for (int flips = 0; flips < 3; flips++)
                    {
                        payload[random.nextInt(payload.length)] = (byte)random.nextInt(256);
                    }
                }
                case 2 -> payload = Arrays.copyOf(valid, random.nextInt(valid.length));
                default ->
                {
                    payload = new byte[30];
                    random.nextBytes(payload);
                    payload[0] = 8; // looks like an SBE header
                }
            }
            try (Socket socket = connect())
            {
                socket.setSoTimeout(3_000);
                final OutputStream out = socket.getOutputStream();
                final int length = i % 5 == 0 ? random.nextInt() : payload.length;
                out.write(ByteBuffer.allocate(4).putInt(length).array());
                out.write(payload);
                out.flush();
                socket.getInputStream().read(new byte[256]); // an error, a ready, or the server hanging up
            }
            catch (final IOException ignored)
            {
                // the server may close first; what matters is that it goes on serving
            }
        }
        final JsonNode after = ok("--video", small.toString(), "--out", dir.resolve("after-fuzz.mp4").toString());
        assertEquals(30, after.get("frames").asInt());
        assertDataDirClean();
    }

    @Test
    void clientFlagsAgainstARealServer() throws Exception
    {
        final Path out = dir.resolve("flags.mp4");
        final TestClient.Run quiet = client("--host", "::1", "--ipv6", "--video", small.toString(), "--out",
            out.toString(), "--quiet", "--processing", "edges", "-p", "method=laplacian");
        assertEquals(ExitCode.OK, quiet.exitCode(), quiet.stderr());
        assertEquals("", quiet.stderr(), "--quiet prints nothing on stderr");
        assertEquals("laplacian:ksize=3,scale=1",
            JsonMessages.MAPPER.readTree(quiet.stdout()).get("pipeline").asText());
        assertTrue(Files.exists(out));
        assertEquals(ExitCode.OK, client("--host", "localhost", "--ipv4", "--video", small.toString(), "--out",
            dir.resolve("v4.mp4").toString(), "--quiet").exitCode());

        final Path notVideo = Files.writeString(dir.resolve("notes.mp4"), "not a video\n".repeat(100));
        final Path never = dir.resolve("never.mp4");
        final TestClient.Run refusedJob = client("--video", notVideo.toString(), "--out", never.toString());
        assertEquals(ExitCode.SERVER_ERROR, refusedJob.exitCode());
        assertTrue(refusedJob.stderr().contains("not_video"), refusedJob.stderr());
        try (Stream<Path> files = Files.list(dir))
        {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".never.mp4")),
                "no partial output is left");
        }
        assertFalse(Files.exists(never));
    }

    /** The error for a length prefix alone, whatever would follow it. */
    private String errorForPrefix(final int prefix) throws Exception
    {
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            socket.getOutputStream().write(ByteBuffer.allocate(4).putInt(prefix).array());
            socket.getOutputStream().flush();
            stream.read();
            return assertInstanceOf(ControlMessage.Error.class, stream.json()).code();
        }
    }

    private String errorFor(final byte[] payload) throws Exception
    {
        try (Socket socket = connect(); MessageStream stream = messages(socket))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(payload.length).array());
            out.write(payload);
            out.flush();
            stream.read();
            final ControlMessage reply = stream.json();
            assertNotEquals(ControlMessage.Ready.class, reply.getClass(), "refused before any upload");
            return assertInstanceOf(ControlMessage.Error.class, reply).code();
        }
    }

    private static long sendChunks(final MessageStream stream, final byte[] data, final int from, final int to,
        final long firstSequence) throws IOException
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final FileChunkEncoder encoder = new FileChunkEncoder();
        final CRC32C crc = new CRC32C();
        long sequence = firstSequence;
        for (int offset = from; offset < to; offset += 256 * 1024)
        {
            final int length = Math.min(256 * 1024, to - offset);
            crc.reset();
            crc.update(data, offset, length);
            encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .sequence(sequence++)
                .crc32c(crc.getValue())
                .putData(data, offset, length);
            stream.write(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }
        stream.flush();
        return sequence;
    }

    private static String sha256(final byte[] data) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static byte[] json(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.port());
        socket.setSoTimeout(60_000);
        return socket;
    }

    private static MessageStream messages(final Socket socket) throws IOException
    {
        return new MessageStream(socket.getInputStream(), socket.getOutputStream(), 4 << 20);
    }

    private static List<Path> jobFiles(final Path data) throws IOException
    {
        try (Stream<Path> files = Files.list(data))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("job-")).sorted().toList();
        }
    }

    private void assertDataDirClean() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (Stream<Path> files = Files.list(SERVER.dataDir()))
            {
                final List<Path> left = files.filter(f -> !f.getFileName().toString().equals("preview"))
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
            Thread.sleep(100);
        }
    }

    private JsonNode ok(final String... args) throws Exception
    {
        final TestClient.Run run = client(args);
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        return JsonMessages.MAPPER.readTree(run.stdout());
    }

    private TestClient.Run client(final String... args)
    {
        return run(Stream.concat(Stream.of("--port", Integer.toString(SERVER.port())), Stream.of(args))
            .toArray(String[]::new));
    }

    private static TestClient.Run run(final String... args)
    {
        return TestClient.run(args);
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
