package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.framewire.codec.Handshake;
import io.framewire.server.access.Secrets;
import io.framewire.server.media.Mp4Prefix;
import io.framewire.server.net.JobRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server is killed (SIGKILL) mid-job, at several points, and started again on the same data directory and port:
 * it carries the job on from its record, its upload and the whole fragments of its output (or has its kept output,
 * when the job had ended), the client connects again by itself and resumes, and the output is whole, every frame
 * once, with an uninterrupted run's timing (the SHA-256 of the whole output checked at its eof, and every frame
 * compared with the input's blur and with an uninterrupted run's).
 */
class ServerRecoveryTest
{
    @TempDir
    Path dir;

    /**
     * Killed inside the first fragment (only the header is out): no fragment is whole, and the job is made again from
     * its first frame, byte for byte as an uninterrupted run makes it.
     */
    @Test
    void aJobKilledInItsFirstFragmentIsMadeAgainTheSame() throws Exception
    {
        final Path video = videoWithSound();
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data, "--paced"))
        {
            final Path out = dir.resolve("out.mp4");
            final CompletableFuture<TestClient.Run> job = startClient(port, video, out);
            awaitOutput(dir.resolve(".out.mp4.part"), partial -> Files.size(partial) >= 1);
            first.signal("KILL");

            try (ServerProcess second = ServerProcess.start(dir, "second", port, data, "--paced"))
            {
                final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
                assertRecovered(run, second, out);
                assertFalse(run.result().has("continued_from_frame"), run.result().toString());
                assertEquals(250, run.result().get("frames_processed").asInt());
                VideoAssertions.assertBlurredCopy(video, out, 250, 27); // testsrc2's fine detail costs x264 some dB
                final Path straight = uninterrupted(port, video);
                assertEquals(ClientInterruptTest.sha256(straight), ClientInterruptTest.sha256(out));
                ServerFixture.assertOnlyDocumentedFiles(data);
            }
        }
    }

    /**
     * Killed with two fragments out, and the server's copy of the output then cut inside the last one the client has
     * (as a crash may leave a file whose tail was not on disk): the next server keeps the whole fragments, decodes the
     * frames in them again only to reach the next, processes and encodes from there; the client drops what it had
     * past that byte. Every packet's timing is an uninterrupted run's, the kept frames are its pixels and the rest
     * within a PSNR bound, and the audio sounds the same.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h264", "vp9"})
    void aJobKilledLaterGoesOnFromItsLastWholeFragment(final String codec) throws Exception
    {
        final Path video = videoWithSound();
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        final Path out = dir.resolve("out.mp4");
        final Path partial = dir.resolve(".out.mp4.part");
        final CompletableFuture<TestClient.Run> job;
        final long clientHad;
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data, "--paced"))
        {
            job = startClient(port, video, out, "--codec", codec);
            awaitOutput(partial, file ->
            {
                final Mp4Prefix whole = Mp4Prefix.read(file);
                return whole != null && whole.video().samples() >= 100;
            });
            first.signal("KILL");
            clientHad = Files.size(partial);
        }
        final Path serverCopy;
        try (var files = Files.list(data))
        {
            serverCopy = files.filter(f -> f.toString().endsWith(".mp4")).findFirst().orElseThrow();
        }
        try (FileChannel file = FileChannel.open(serverCopy, StandardOpenOption.WRITE))
        {
            file.truncate(clientHad - 1000);
        }
        final Mp4Prefix kept = Mp4Prefix.read(serverCopy);
        assertTrue(kept.bytes() < clientHad);

        try (ServerProcess second = ServerProcess.start(dir, "second", port, data, "--paced"))
        {
            final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
            assertRecovered(run, second, out);
            final long from = kept.video().samples();
            assertEquals(from, run.result().get("continued_from_frame").asLong(), run.result().toString());
            assertEquals(0, from % 50, "a fragment starts at a key frame, every 2 s");
            assertEquals(250 - from, run.result().get("frames_processed").asLong(), "the kept frames not redone");
            assertTrue(run.stderr().contains("the output from byte " + kept.bytes()), run.stderr());
            VideoAssertions.assertBlurredCopy(video, out, 250, 27);

            final Path straight = uninterrupted(port, video, "--codec", codec);
            assertEquals(packets(straight, "v"), packets(out, "v"), "video packets: timestamps, durations, keys");
            assertEquals(packets(straight, "a"), packets(out, "a"), "audio packets");
            if ("h264".equals(codec))
            {
                // x264 runs the same each time (libvpx in real time does not): the kept frames are its.
                final List<String> straightFrames = frameHashes(straight);
                final List<String> frames = frameHashes(out);
                assertEquals(straightFrames.subList(0, (int)from), frames.subList(0, (int)from), "the kept frames");
            }
            // The frames re-encoded from a key frame, against the uninterrupted run's.
            VideoAssertions.assertEachFrame(straight, out, 250, 35, (current, previous, expected) ->
                current.copyTo(expected));
            assertSameSound(pcm(straight), pcm(out), 50);
            ServerFixture.assertOnlyDocumentedFiles(data);
        }
    }

    /**
     * Killed when the output was whole (its last fragment written) but not yet kept for its client: the next server
     * keeps every frame, processes none again, writes no more audio, and the client gets what the uninterrupted run
     * wrote, less its random access index.
     */
    @Test
    void aJobKilledWithItsOutputWholeMakesNoFrameAgain() throws Exception
    {
        final Path video = videoWithSound();
        final int port = ServerFixture.freePort();
        final Path straight;
        try (ServerProcess first = ServerProcess.start(dir, "first", port, dir.resolve("first-data")))
        {
            straight = uninterrupted(port, video);
        }
        // What a server killed just after the muxer's last fragment leaves: the record, the upload, the output.
        final Path data = Files.createDirectories(dir.resolve("data"));
        final String token = "fwr_" + "A".repeat(22);
        final long jobId = 4242;
        new JobRecord(jobId, HexFormat.of().formatHex(Secrets.sha256(token)), new Handshake(Handshake.PROTOCOL_VERSION,
            "blur", "file", "in.mkv", Files.size(video), Map.of(), "h264", "mp4", 0, ""), true).write(data);
        Files.copy(video, JobRecord.upload(data, jobId));
        Files.copy(straight, JobRecord.output(data, jobId));

        try (ServerProcess second = ServerProcess.start(dir, "second", port, data))
        {
            final Path out = dir.resolve("out.mp4");
            final TestClient.Run run = TestClient.run("--port", Integer.toString(port), "--resume", token, "--out",
                out.toString(), "--quiet");
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
            assertEquals(250, run.result().get("continued_from_frame").asInt(), run.result().toString());
            assertEquals(0, run.result().get("frames_processed").asInt());
            assertEquals("ok", run.result().get("status").asText());
            assertEquals(packets(straight, "v"), packets(out, "v"));
            assertEquals(packets(straight, "a"), packets(out, "a"), "no audio written twice");
            assertEquals(frameHashes(straight), frameHashes(out));
            assertArrayEquals(pcm(straight), pcm(out));
            ServerFixture.assertOnlyDocumentedFiles(data);
        }
    }

    /** With sound, as FFmpeg writes it: 10 s of picture and a tone. */
    private Path videoWithSound() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        final Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
            "testsrc2=size=320x240:rate=25:duration=10", "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
            "-c:v", "mpeg4", "-q:v", "4", "-c:a", "aac", "-shortest", video.toString()).inheritIO().start();
        assertEquals(0, ffmpeg.waitFor());
        return video;
    }

    private static CompletableFuture<TestClient.Run> startClient(final int port, final Path video, final Path out,
        final String... options)
    {
        final List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--video",
            video.toString(), "--out", out.toString(), "--reconnect-s", "90"));
        args.addAll(List.of(options));
        return TestClient.start(args.toArray(String[]::new));
    }

    private interface OutputCheck
    {
        boolean far(Path partial) throws Exception;
    }

    private static void awaitOutput(final Path partial, final OutputCheck check) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((!Files.exists(partial) || !check.far(partial)) && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertTrue(Files.exists(partial) && check.far(partial), "output was arriving");
    }

    private static void assertRecovered(final TestClient.Run run, final ServerProcess second, final Path out)
        throws Exception
    {
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
        assertTrue(run.stderr().contains("connected again"), run.stderr());
        assertTrue(second.log().contains("carried on from the server before"));
        assertEquals(250, run.result().get("frames").asInt());
        assertTrue(run.result().get("recovered").asBoolean(), run.result().toString());
        assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
    }

    /** The same job uninterrupted, on the same server. */
    private Path uninterrupted(final int port, final Path video, final String... options) throws Exception
    {
        final Path straight = dir.resolve("straight.mp4");
        final List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--video",
            video.toString(), "--out", straight.toString(), "--quiet"));
        args.addAll(List.of(options));
        final TestClient.Run run = TestClient.run(args.toArray(String[]::new));
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        assertEquals("aac", run.result().get("audio").asText());
        return straight;
    }

    private static List<String> ffmpegLines(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final List<String> lines;
        try (var reader = process.inputReader())
        {
            lines = reader.lines().toList();
        }
        assertEquals(0, process.waitFor(), String.join(" ", command));
        return lines;
    }

    /** Every packet of the stream ({@code v} or {@code a}): its timestamps, duration and key flag. */
    private static List<String> packets(final Path file, final String stream) throws Exception
    {
        return ffmpegLines("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
            "packet=pts,dts,duration,flags", "-of", "csv", file.toString());
    }

    /** Each video frame's MD5, decoded. */
    private static List<String> frameHashes(final Path file) throws Exception
    {
        return ffmpegLines("ffmpeg", "-v", "error", "-i", file.toString(), "-map", "0:v", "-f", "framemd5", "-")
            .stream().filter(line -> !line.startsWith("#")).map(line -> line.substring(line.lastIndexOf(',') + 1))
            .toList();
    }

    /** The audio decoded, mono, 16-bit. */
    private static short[] pcm(final Path file) throws Exception
    {
        final Process process = new ProcessBuilder("ffmpeg", "-v", "error", "-i", file.toString(), "-map", "0:a",
            "-ac", "1", "-f", "s16le", "-").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final byte[] bytes = process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
        final short[] samples = new short[bytes.length / 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
        return samples;
    }

    /** As many samples, and each block of 1024 within {@code minDb} of the expected one's power. */
    private static void assertSameSound(final short[] expected, final short[] actual, final double minDb)
    {
        assertEquals(expected.length, actual.length, "audio samples");
        for (int block = 0; block + 1024 <= expected.length; block += 1024)
        {
            double signal = 0;
            double noise = 0;
            for (int i = block; i < block + 1024; i++)
            {
                signal += (double)expected[i] * expected[i];
                noise += (double)(expected[i] - actual[i]) * (expected[i] - actual[i]);
            }
            if (noise > 0 && signal > 0)
            {
                final double db = 10 * Math.log10(signal / noise);
                assertTrue(db >= minDb, "audio at sample " + block + ": " + db + " dB from the uninterrupted run's");
            }
        }
    }

    /**
     * The job has ended and its output waits at the server, while the client is still downloading it (a slow link):
     * the server is killed; the next one has the kept output, and the client takes the rest from its byte.
     */
    @Test
    void aDownloadOutlivesAServerKilledDuringIt() throws Exception
    {
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 250, 25);
        final int port = ServerFixture.freePort();
        final Path data = dir.resolve("data");
        try (ServerProcess first = ServerProcess.start(dir, "first", port, data);
            TcpRelay relay = new TcpRelay(port, 0, 16 * 1024))
        {
            final Path out = dir.resolve("out.mp4");
            final Path partial = dir.resolve(".out.mp4.part");
            final CompletableFuture<TestClient.Run> job = TestClient.start(
                "--host", "127.0.0.1", "--port", Integer.toString(relay.port()), "--video", video.toString(),
                "--out", out.toString(), "--reconnect-s", "90");
            final Path kept = data.resolve("kept");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!hasKeptResult(kept) && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertTrue(hasKeptResult(kept), "the job ended at the server");
            final long keptBytes;
            try (var files = Files.list(kept))
            {
                keptBytes = Files.size(files.filter(f -> f.toString().endsWith(".out")).findFirst().orElseThrow());
            }
            first.signal("KILL");
            final long had = Files.exists(partial) ? Files.size(partial) : 0;
            assertTrue(had < keptBytes, "the client was still downloading: " + had + " of " + keptBytes);
            relay.cut();

            try (ServerProcess second = ServerProcess.start(dir, "second", port, data))
            {
                final TestClient.Run run = job.get(120, TimeUnit.SECONDS);
                assertEquals(ExitCode.OK, run.exitCode(), run.stderr() + second.log());
                assertTrue(run.stderr().contains("connected again"), run.stderr());
                assertEquals(250, run.result().get("frames").asInt());
                assertEquals(keptBytes, Files.size(out));
                ServerFixture.assertOnlyDocumentedFiles(data);
                assertEquals(run.result().get("output_sha256").asText(), ClientInterruptTest.sha256(out));
                VideoAssertions.assertBlurredCopy(video, out, 250, 30);
            }
        }
    }

    private static boolean hasKeptResult(final Path kept) throws Exception
    {
        if (!Files.isDirectory(kept))
        {
            return false;
        }
        try (var files = Files.list(kept))
        {
            return files.anyMatch(f -> f.toString().endsWith(".json"));
        }
    }
}
