package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.codec.JsonMessages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The inputs users have, made by the {@code ffmpeg} CLI (Debian's package) or taken from opencv-doc's real samples,
 * each through both protocols of a real server, checked as a user checks with {@code ffprobe}: every frame back,
 * the input's size, rate, duration, audio and rotation; a damaged input's frames up to the damage with exit 6; a
 * broken one refused with a code, and the server serving the next job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceTest
{
    private static final String SAMPLES = "/usr/share/doc/opencv-doc/examples/data/";
    private static final String VIDEO = "testsrc2=size=640x360:rate=25:duration=2";
    private static final String AUDIO = "sine=frequency=440:sample_rate=48000:duration=2";

    @TempDir
    static Path dir;

    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture();

    /** What an input is, and how the ffmpeg CLI makes it (null for a sample file or a file the test writes). */
    record Input(String name, String file, List<String> ffmpeg)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    @BeforeAll
    void start() throws Exception
    {
        Assumptions.assumeTrue(onPath("ffmpeg") && onPath("ffprobe"),
            "the conformance suite makes its inputs with the ffmpeg CLI: apt-get install ffmpeg (.ci/run does)");
    }

    static Stream<Arguments> playable()
    {
        final List<Input> inputs = new ArrayList<>(List.of(
            // containers
            made("mp4, moov at the end", "moov-last.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p")),
            made("mp4, faststart", "faststart.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p",
                "-movflags", "+faststart")),
            made("fragmented mp4", "fragmented.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p",
                "-movflags", "frag_keyframe+empty_moov")),
            made("mov", "in.mov", video("-c:v", "libx264", "-pix_fmt", "yuv420p")),
            made("mkv", "in.mkv", video("-c:v", "libx264", "-pix_fmt", "yuv420p")),
            made("webm", "in.webm", video("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8")),
            made("avi", "in.avi", video("-c:v", "mpeg4", "-q:v", "4")),
            made("mpeg-ts", "in.ts", video("-c:v", "libx264", "-pix_fmt", "yuv420p")),
            // video codecs
            made("h264 10-bit", "h264-10bit.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p10le")),
            made("h264 4:4:4", "h264-444.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv444p")),
            made("h264 open gop, b-frames", "open-gop.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p",
                "-x264-params", "open-gop=1:bframes=3:keyint=12")),
            made("hevc", "hevc.mp4", video("-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
                "-x265-params", "log-level=error")),
            made("vp8", "vp8.webm", video("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8")),
            made("vp9 in mp4", "vp9.mp4", video("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8")),
            made("av1", "av1.mkv", video("-c:v", "libsvtav1", "-preset", "12")),
            made("mpeg-4 part 2", "mpeg4.mp4", video("-c:v", "mpeg4")),
            made("mjpeg", "mjpeg.avi", video("-c:v", "mjpeg", "-q:v", "5")),
            made("prores", "prores.mov", video("-c:v", "prores_ks", "-profile:v", "0")),
            // sizes and timing
            made("odd size 641x361", "odd.mp4", video("-vf", "scale=641:361", "-c:v", "libx264", "-pix_fmt",
                "yuv444p")),
            made("rotation 90", "rotated.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p", "-metadata:s:v",
                "rotate=90")),
            made("variable frame rate", "vfr.mkv", video("-vf", "select='lt(n\\,25)+not(mod(n\\,3))'",
                "-fps_mode", "vfr", "-c:v", "libx264", "-pix_fmt", "yuv420p")),
            made("start time 5 s", "offset.mkv", video("-c:v", "libx264", "-pix_fmt", "yuv420p",
                "-output_ts_offset", "5")),
            made("one frame", "one-frame.mp4", List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                "-frames:v", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p")),
            // audio
            made("aac", "aac.mp4", withAudio("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac")),
            made("opus", "opus.webm", withAudio("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                "-c:a", "libopus")),
            made("mp3", "mp3.mkv", withAudio("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "libmp3lame")),
            made("pcm", "pcm.mov", withAudio("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le")),
            made("two audio tracks", "two-audio.mkv", List.of("-f", "lavfi", "-i", VIDEO, "-f", "lavfi", "-i", AUDIO,
                "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=44100:duration=2", "-map", "0", "-map", "1",
                "-map", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac")),
            // real samples
            sample("Megamind.avi"),
            sample("Megamind_bugy.avi"),
            sample("tree.avi"),
            sample("vtest.avi")));
        return inputs.stream().flatMap(input -> Stream.of(Arguments.of(input, "file"), Arguments.of(input, "stream")));
    }

    /** Every frame comes back, at the input's size, rate and duration, with its audio and rotation. */
    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("playable")
    void everyFrameComesBack(final Input input, final String protocol) throws Exception
    {
        final Path file = make(input);
        final JsonNode in = probe(file);
        final Path output = dir.resolve(input.file() + "." + protocol + ".out.mp4");
        final TestClient.Run run = client(file, output, protocol);
        assertEquals(ExitCode.OK, run.exitCode(), input + ": " + run.stderr());
        final JsonNode result = run.result();
        assertEquals("ok", result.get("status").asText(), result.toString());
        assertTrue(result.get("input_complete").asBoolean(), result.toString());
        final JsonNode out = probe(output);
        final JsonNode inVideo = videoStream(in);
        final JsonNode outVideo = videoStream(out);
        final long inFrames = inVideo.get("nb_read_frames").asLong();
        assertEquals(inFrames, result.get("frames").asLong(), "frames in the result: " + result);
        assertEquals(inFrames, outVideo.get("nb_read_frames").asLong(), "frames in the output");
        assertEquals(even(inVideo.get("width").asInt()), outVideo.get("width").asInt(), "width");
        assertEquals(even(inVideo.get("height").asInt()), outVideo.get("height").asInt(), "height");
        if (inVideo.get("width").asInt() % 2 != 0)
        {
            assertEquals(even(inVideo.get("width").asInt()), result.path("padded").path("width").asInt(),
                "an odd size is padded, and the result says so: " + result);
        }
        if (inFrames > 1)
        {
            // (one frame has no rate: ffprobe reports its time base)
            assertEquals(rate(inVideo.get("r_frame_rate").asText()), rate(outVideo.get("r_frame_rate").asText()),
                0.01, "frame rate");
            final double interval = 1 / rate(inVideo.get("r_frame_rate").asText());
            assertEquals(videoSpan(file, interval), videoSpan(output, interval), 2.5 * interval,
                "duration of the video");
        }
        assertEquals(hasAudio(in), hasAudio(out), "audio kept");
        assertEquals(rotation(inVideo), rotation(outVideo), 0.5, "rotation kept (docs/output.md)");
        assertEquals(protocol, result.get("protocol").asText());
    }

    /**
     * Streaming an MP4 whose index is last: the client says once why processing waits for the upload, and the
     * result says decoding began with the whole upload in; with faststart it begins before.
     */
    @Test
    void streamingAnMp4WithItsIndexLastSaysSoOnce() throws Exception
    {
        final Path last = make(made("moov at the end, for the notice", "notice-moov-last.mp4", video("-c:v", "libx264",
            "-pix_fmt", "yuv420p")));
        final TestClient.Run run = TestClient.run("--port", Integer.toString(SERVER.port()), "--video",
            last.toString(), "--out", dir.resolve("notice.out.mp4").toString(), "--protocol", "stream");
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        final List<String> notes = run.stderr().lines().filter(line -> line.startsWith("note: ")).toList();
        assertEquals(1, notes.size(), run.stderr());
        assertTrue(notes.get(0).contains("+faststart"), notes.get(0));
        assertEquals(Files.size(last), run.result().get("upload_bytes_when_decoding_began").asLong());
        assertEquals(50, run.result().get("frames").asInt());
    }

    /** opencv-doc's Megamind.avi, whose last frames have no timestamp, through the other processing types. */
    @ParameterizedTest(name = "Megamind.avi, {0}")
    @ValueSource(strings = {"edges", "faces", "motion"})
    void megamindWithEveryProcessingType(final String processing) throws Exception
    {
        final Path megamind = make(sample("Megamind.avi"));
        final TestClient.Run run = TestClient.run("--port", Integer.toString(SERVER.port()), "--video",
            megamind.toString(), "--out", dir.resolve("megamind-" + processing + ".mp4").toString(), "--processing",
            processing, "--quiet");
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        assertEquals("ok", run.result().get("status").asText());
        assertEquals(270, run.result().get("frames").asInt());
        assertEquals(270, videoStream(probe(dir.resolve("megamind-" + processing + ".mp4")))
            .get("nb_read_frames").asInt());
    }

    static Stream<Arguments> damaged()
    {
        return Stream.of("file", "stream").map(protocol -> Arguments.of(protocol));
    }

    /** A file cut at half: its frames up to the cut come back, saved, with exit 6 and the result saying so. */
    @ParameterizedTest(name = "truncated at half ({0})")
    @MethodSource("damaged")
    void aTruncatedInputKeepsItsFramesAndSaysSo(final String protocol) throws Exception
    {
        final Path whole = make(made("faststart for truncating", "whole.mp4", video("-c:v", "libx264", "-pix_fmt",
            "yuv420p", "-movflags", "+faststart")));
        final Path cut = dir.resolve("cut-" + protocol + ".mp4");
        final byte[] bytes = Files.readAllBytes(whole);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        final Path output = dir.resolve("cut-" + protocol + ".out.mp4");
        final TestClient.Run run = client(cut, output, protocol);
        assertEquals(ExitCode.INCOMPLETE, run.exitCode(), run.stderr());
        final JsonNode result = run.result();
        assertEquals("incomplete", result.get("status").asText());
        assertFalse(result.get("input_complete").asBoolean());
        assertTrue(result.path("input_errors").path("stopped").asText().contains("truncated"), result.toString());
        final long frames = result.get("frames").asLong();
        assertTrue(frames > 10 && frames < 50, "the frames before the cut: " + frames);
        assertEquals(frames, videoStream(probe(output)).get("nb_read_frames").asLong(), "all of them saved");
        assertTrue(run.stderr().lines().anyMatch(line -> line.startsWith("framewire client: the input is " +
            "incomplete")), run.stderr());
    }

    /**
     * Audio that outlasts the video (a recording whose picture stopped first), in Matroska, whose duration is the
     * container's: the input is whole; the same file cut at half is still found out.
     */
    @ParameterizedTest(name = "audio longer than the video ({0})")
    @MethodSource("damaged")
    void audioThatOutlastsTheVideoIsAWholeInput(final String protocol) throws Exception
    {
        final Path input = make(made("audio 2 s longer", "long-audio.mkv", List.of("-f", "lavfi", "-i",
            "testsrc2=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i", "sine=frequency=440:duration=5",
            "-c:v", "mpeg4", "-c:a", "aac")));
        final TestClient.Run run = client(input, dir.resolve("long-audio-" + protocol + ".out.mp4"), protocol);
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        assertEquals("ok", run.result().get("status").asText());
        assertEquals(75, run.result().get("frames").asInt());

        final byte[] bytes = Files.readAllBytes(input);
        final Path cut = Files.write(dir.resolve("long-audio-cut-" + protocol + ".mkv"),
            Arrays.copyOf(bytes, bytes.length / 2));
        final TestClient.Run cutRun = client(cut, dir.resolve("long-audio-cut-" + protocol + ".out.mp4"), protocol);
        assertEquals(ExitCode.INCOMPLETE, cutRun.exitCode(), cutRun.stderr());
    }

    /** Damaged packets in an MPEG-TS: FFmpeg conceals them, every frame that decodes comes back, the result counts. */
    @ParameterizedTest(name = "damaged packets ({0})")
    @MethodSource("damaged")
    void concealedDamageIsCounted(final String protocol) throws Exception
    {
        final Path whole = make(made("mpeg-ts for damaging", "to-damage.ts", List.of("-f", "lavfi", "-i",
            "testsrc2=size=640x360:rate=25:duration=4", "-c:v", "libx264", "-pix_fmt", "yuv420p")));
        final byte[] bytes = Files.readAllBytes(whole);
        final Random random = new Random(1);
        for (int hit = 0; hit < 40; hit++)
        {
            final int at = bytes.length / 4 + random.nextInt(bytes.length / 2);
            for (int i = at; i < at + 50; i++)
            {
                bytes[i] = (byte)random.nextInt(256);
            }
        }
        final Path damaged = Files.write(dir.resolve("damaged-" + protocol + ".ts"), bytes);
        final Path output = dir.resolve("damaged-" + protocol + ".out.mp4");
        final TestClient.Run run = client(damaged, output, protocol);
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        final JsonNode result = run.result();
        assertTrue(result.path("input_errors").path("frames_concealed").asLong() > 0, result.toString());
        assertTrue(result.get("frames").asLong() > 90, "frames FFmpeg could decode: " + result);
        assertEquals(result.get("frames").asLong(), videoStream(probe(output)).get("nb_read_frames").asLong());
    }

    static Stream<Arguments> broken()
    {
        return Stream.of(
            Arguments.of("zero bytes", "empty.mp4", ExitCode.USAGE, "is empty"),
            Arguments.of("a text file named .mp4", "text.mp4", ExitCode.SERVER_ERROR, "not_video"),
            Arguments.of("an image", "image.mp4", ExitCode.SERVER_ERROR, "not_video"),
            Arguments.of("random bytes", "random.mp4", ExitCode.SERVER_ERROR, "not_video"),
            Arguments.of("mp4 with moov at the end, truncated", "cut-moov-last.mp4", ExitCode.SERVER_ERROR,
                "not_video"));
    }

    /** A broken input gets its exit code and one line saying why, and the server serves the next job. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void aBrokenInputIsRefusedWithACode(final String name, final String fileName, final int exitCode,
        final String message) throws Exception
    {
        final Path file = dir.resolve(fileName);
        switch (fileName)
        {
            case "empty.mp4" -> Files.write(file, new byte[0]);
            case "text.mp4" -> Files.writeString(file, "this is not a video\n".repeat(2000));
            case "image.mp4" -> Files.copy(Path.of(SAMPLES, "messi5.jpg"), file);
            case "random.mp4" ->
            {
                final byte[] noise = new byte[300_000];
                new Random(42).nextBytes(noise);
                Files.write(file, noise);
            }
            default ->
            {
                final byte[] bytes = Files.readAllBytes(make(made("moov last", "moov-last-whole.mp4",
                    video("-c:v", "libx264", "-pix_fmt", "yuv420p"))));
                Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
            }
        }
        for (final String protocol : List.of("file", "stream"))
        {
            final Path output = dir.resolve(fileName + "." + protocol + ".out.mp4");
            final TestClient.Run run = client(file, output, protocol);
            assertEquals(exitCode, run.exitCode(), name + " (" + protocol + "): " + run.stderr());
            final List<String> errors = run.stderr().lines().filter(line -> line.startsWith("framewire client:"))
                .toList();
            assertEquals(1, errors.size(), run.stderr());
            assertTrue(errors.get(0).contains(message), errors.get(0));
            assertFalse(Files.exists(output), "no output for a broken input");
        }
        final Path next = make(made("the next job", "next.mp4", video("-c:v", "libx264", "-pix_fmt", "yuv420p")));
        final TestClient.Run after = client(next, dir.resolve(fileName + ".next.mp4"), "file");
        assertEquals(ExitCode.OK, after.exitCode(), "the server serves the next job: " + after.stderr());
    }

    private TestClient.Run client(final Path input, final Path output, final String protocol)
    {
        return TestClient.run("--port", Integer.toString(SERVER.port()), "--video", input.toString(), "--out",
            output.toString(), "--protocol", protocol, "--quiet");
    }

    private static Input made(final String name, final String file, final List<String> ffmpeg)
    {
        return new Input(name, file, ffmpeg);
    }

    private static Input sample(final String file)
    {
        return new Input(file, file, null);
    }

    private static List<String> video(final String... encoding)
    {
        final List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", VIDEO));
        args.addAll(List.of(encoding));
        return args;
    }

    private static List<String> withAudio(final String... encoding)
    {
        final List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", VIDEO, "-f", "lavfi", "-i", AUDIO));
        args.addAll(List.of(encoding));
        return args;
    }

    /** The input's file: made once by the ffmpeg CLI, or opencv-doc's sample (the test skips without it). */
    private static Path make(final Input input) throws Exception
    {
        if (input.ffmpeg() == null)
        {
            final Path sample = Path.of(SAMPLES, input.file());
            Assumptions.assumeTrue(Files.isReadable(sample), "needs opencv-doc's samples (apt-get install opencv-doc)");
            return sample;
        }
        final Path file = dir.resolve(input.file());
        if (!Files.exists(file))
        {
            final List<String> command = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin", "-y"));
            command.addAll(input.ffmpeg());
            command.add(file.toString());
            final String output = run(command);
            assertTrue(Files.size(file) > 0, "ffmpeg made " + input + ": " + output);
        }
        return file;
    }

    private static JsonNode probe(final Path file) throws Exception
    {
        return JsonMessages.MAPPER.readTree(run(List.of("ffprobe", "-v", "quiet", "-count_frames", "-show_streams",
            "-show_format", "-of", "json", file.toString()), false));
    }

    private static String run(final List<String> command) throws IOException, InterruptedException
    {
        return run(command, true);
    }

    /** @param withErrors whether stderr joins the output (for messages) or is dropped (where stdout is JSON). */
    private static String run(final List<String> command, final boolean withErrors)
        throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command);
        if (withErrors)
        {
            builder.redirectErrorStream(true);
        }
        else
        {
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        final Process process = builder.start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            fail(String.join(" ", command) + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    private static JsonNode videoStream(final JsonNode probe)
    {
        for (final JsonNode stream : probe.get("streams"))
        {
            if ("video".equals(stream.path("codec_type").asText()))
            {
                return stream;
            }
        }
        throw new AssertionError("no video stream: " + probe);
    }

    private static boolean hasAudio(final JsonNode probe)
    {
        for (final JsonNode stream : probe.get("streams"))
        {
            if ("audio".equals(stream.path("codec_type").asText()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * How long the video plays, from its packets' timestamps: the first to the last, plus a frame. Containers'
     * own durations disagree (Matroska's counts from zero, not from the first frame).
     */
    private static double videoSpan(final Path file, final double interval) throws Exception
    {
        final JsonNode packets = JsonMessages.MAPPER.readTree(run(List.of("ffprobe", "-v", "quiet", "-select_streams",
            "v:0", "-show_entries", "packet=pts_time,dts_time", "-of", "json", file.toString()), false))
            .get("packets");
        double first = Double.MAX_VALUE;
        double last = -Double.MAX_VALUE;
        for (final JsonNode packet : packets)
        {
            // An AVI's packets often have no presentation time: their decoding time is it.
            final JsonNode time = packet.has("pts_time") ? packet.get("pts_time") : packet.get("dts_time");
            if (time != null)
            {
                first = Math.min(first, time.asDouble());
                last = Math.max(last, time.asDouble());
            }
        }
        return last - first + interval;
    }

    private static double rotation(final JsonNode stream)
    {
        for (final JsonNode data : stream.path("side_data_list"))
        {
            if (data.has("rotation"))
            {
                return (data.get("rotation").asDouble() + 360) % 360;
            }
        }
        return (stream.path("tags").path("rotate").asDouble(0) * -1 + 360) % 360;
    }

    private static double rate(final String fraction)
    {
        final String[] parts = fraction.split("/");
        return Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]);
    }

    private static int even(final int side)
    {
        return side + (side & 1);
    }

    private static boolean onPath(final String command)
    {
        try
        {
            return new ProcessBuilder(command, "-version").redirectErrorStream(true).start().waitFor() == 0;
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }
}
