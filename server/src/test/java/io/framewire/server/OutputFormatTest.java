package io.framewire.server;

import org.bytedeco.ffmpeg.global.avcodec;
import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.server.media.EncoderSettings;
import io.framewire.samples.SyntheticVideo;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Assumptions;

/** Output codecs and containers, checked by decoding the output with FFmpeg. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputFormatTest
{
    private static final int FRAMES = 40;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture(c -> c.thumbnails(5));
    private Path video;

    @BeforeAll
    void start() throws Exception
    {
        video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 480, 270, FRAMES, 25);
    }

    @Test
    void vp9InWebmAndInMp4() throws Exception
    {
        for (final String name : new String[] {"vp9.webm", "vp9.mp4"})
        {
            final Path out = dir.resolve(name);
            final TestClient.Run run = client("--codec", "vp9", "--out", out.toString());
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final JsonNode result = run.result();
            assertEquals("vp9", result.get("codec").asText());
            assertEquals("libvpx-vp9", result.get("encoder").asText());
            assertEquals(name.endsWith(".webm") ? "webm" : "mp4", result.get("container").asText());
            try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(out.toFile()))
            {
                grabber.start();
                assertEquals("vp9", grabber.getVideoCodecName());
                assertTrue(grabber.getFormat().contains(name.endsWith(".webm") ? "webm" : "mp4"), grabber.getFormat());
            }
            VideoAssertions.assertBlurredCopy(video, out, FRAMES, 30.0);
        }
    }

    @Test
    void h264IsTheServersDefaultAndCannotGoInWebm() throws Exception
    {
        final TestClient.Run h264 = client("--out", dir.resolve("default.mp4").toString());
        assertEquals(ExitCode.OK, h264.exitCode(), h264.stderr());
        final JsonNode result = h264.result();
        assertEquals("h264", result.get("codec").asText());
        // No NVENC on this machine: x264 from the default (GPL) FFmpeg build, libopenh264 from the LGPL one.
        final boolean gpl = System.getProperty("framewire.ffmpeg.classifier", "-gpl").endsWith("-gpl");
        assertEquals(gpl ? "libx264" : "libopenh264", result.get("encoder").asText());
        if (gpl)
        {
            assertEquals(EncoderSettings.DEFAULT_CRF, result.get("crf").asInt(),
                "constant quality when no bitrate is named");
            assertEquals(EncoderSettings.DEFAULT_PRESET, result.get("preset").asText());
        }

        final TestClient.Run refused = client("--codec", "h264", "--out", dir.resolve("h264.webm").toString());
        assertEquals(ExitCode.USAGE, refused.exitCode(), "a contradiction is the client's usage error");
        assertTrue(refused.stderr().contains("--codec h264 does not go in a .webm file"), refused.stderr());
        final TestClient.Run lean = client("--bitrate", "300", "--out", dir.resolve("lean.mp4").toString());
        assertEquals(ExitCode.OK, lean.exitCode(), lean.stderr());
        final JsonNode leanResult = lean.result();
        assertEquals(300, leanResult.get("bitrate_kbps").asInt());
        final TestClient.Run rich = client("--bitrate", "3000", "--out", dir.resolve("rich.mp4").toString());
        assertEquals(ExitCode.OK, rich.exitCode(), rich.stderr());
        assertTrue(leanResult.get("output_bytes").asLong() < rich.result().get("output_bytes").asLong(),
            "a lower bitrate makes a smaller file");
        final TestClient.Run absurd = client("--bitrate", "5", "--out", dir.resolve("absurd.mp4").toString());
        assertEquals(ExitCode.SERVER_ERROR, absurd.exitCode());
        assertTrue(absurd.stderr().contains("bitrate"), absurd.stderr());
        final TestClient.Run unknown = client("--codec", "av1", "--out", dir.resolve("av1.mp4").toString());
        assertEquals(ExitCode.USAGE, unknown.exitCode());
        assertTrue(unknown.stderr().contains("av1"), unknown.stderr());
    }

    /** As with FFmpeg, the extension of --out says what to write; what it cannot mean is refused before upload. */
    @Test
    void theOutputsExtensionChoosesItsFormat() throws Exception
    {
        for (final String[] expected : new String[][] {{"by-ext.webm", "vp9", "webm", "webm"},
            {"by-ext.mkv", "h264", "mkv", "matroska"}, {"by-ext.MP4", "h264", "mp4", "mp4"}})
        {
            final Path out = dir.resolve(expected[0]);
            final TestClient.Run run = client("--out", out.toString());
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertEquals(expected[1], run.result().get("codec").asText());
            assertEquals(expected[2], run.result().get("container").asText());
            try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(out.toFile()))
            {
                grabber.start();
                assertTrue(grabber.getFormat().contains(expected[3]), grabber.getFormat());
                assertEquals(expected[1], grabber.getVideoCodecName());
            }
        }
        final Path avi = dir.resolve("x.avi");
        final TestClient.Run unknown = client("--out", avi.toString());
        assertEquals(ExitCode.USAGE, unknown.exitCode());
        assertEquals(1, unknown.stderr().lines().count(), unknown.stderr());
        assertTrue(unknown.stderr().contains(".mp4, .webm or .mkv"), unknown.stderr());
        assertFalse(Files.exists(avi), "nothing written under a name that lies about its content");

        final TestClient.Run unwritable = client("--out", "/proc/nope/x.mp4");
        assertEquals(ExitCode.IO_ERROR, unwritable.exitCode());
        assertEquals(List.of("framewire client: cannot write --out /proc/nope/x.mp4: there is no directory " +
            "/proc/nope"), unwritable.stderr().lines().toList());
        final TestClient.Run readOnly = client("--out", "/proc/x.mp4");
        assertEquals(ExitCode.IO_ERROR, readOnly.exitCode());
        assertEquals(1, readOnly.stderr().lines().count(), readOnly.stderr());
        assertTrue(readOnly.stderr().startsWith("framewire client: cannot write --out /proc/x.mp4: "),
            readOnly.stderr());
        assertFalse(readOnly.stderr().contains("Exception"), readOnly.stderr());
    }

    /** A real AVI, whose last frames have no timestamp, in every container. */
    @Test
    void megamindInEveryContainer() throws Exception
    {
        final Path megamind = Path.of("/usr/share/doc/opencv-doc/examples/data/Megamind.avi");
        Assumptions.assumeTrue(Files.isReadable(megamind), "needs opencv-doc's samples");
        for (final String name : new String[] {"megamind.webm", "megamind.mkv"})
        {
            final TestClient.Run run = clientWith(megamind, "--out", dir.resolve(name).toString());
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            assertEquals(270, run.result().get("frames").asInt());
            assertEquals("ok", run.result().get("status").asText());
        }
    }

    @Test
    void audioTimingAndRotationSurviveInBothContainers() throws Exception
    {
        final Path input = dir.resolve("av.mp4");
        // A tone, a 90 degree display rotation, and every 4th time slot empty: a variable-frame-rate video.
        SyntheticVideo.write(input, 320, 240, 40, 25, avcodec.AV_CODEC_ID_MPEG4, true, 90, 4);
        final Media in = Media.of(input);
        assertTrue(in.audioSamples > 0);
        for (final String name : new String[] {"av-out.mp4", "av-out.webm"})
        {
            final Path out = dir.resolve(name);
            final TestClient.Run run = name.endsWith(".webm") ? clientWith(input, "--codec", "vp9", "--out",
                out.toString()) :
                clientWith(input, "--out", out.toString());
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final JsonNode result = run.result();
            assertEquals(name.endsWith(".webm") ? "opus" : "aac", result.get("audio").asText());
            final Media media = Media.of(out);
            assertEquals(name.endsWith(".webm") ? "opus" : "aac", media.audioCodec);
            assertEquals(90.0, media.rotation, 0.01, name);
            assertEquals(in.videoTimestampsMs, media.videoTimestampsMs, name + ": the input's timestamps, gaps kept");
            final double frameSeconds = 1 / 25.0;
            assertEquals(in.audioSeconds(), media.audioSeconds(), frameSeconds, name +
                ": audio as long as the input's");
            assertEquals(in.videoTimestampsMs.getLast() / 1000.0, media.videoTimestampsMs.getLast() / 1000.0,
                frameSeconds, name);
        }
    }

    /** What FFmpeg reads from a file: video timestamps, audio codec, samples and rate, rotation. */
    private record Media(List<Long> videoTimestampsMs, String audioCodec, long audioSamples, int sampleRate,
        double rotation)
    {
        static Media of(final Path file) throws Exception
        {
            try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile()))
            {
                grabber.start();
                final List<Long> timestamps = new ArrayList<>();
                Frame frame;
                while ((frame = grabber.grabImage()) != null)
                {
                    timestamps.add(frame.timestamp / 1000);
                }
                final String codec = grabber.getAudioCodecName();
                final double rotation = grabber.getDisplayRotation();
                final int rate = grabber.getSampleRate();
                grabber.restart();
                long samples = 0;
                while ((frame = grabber.grabSamples()) != null)
                {
                    samples += frame.samples[0].remaining();
                }
                return new Media(timestamps, codec, samples, rate, rotation);
            }
        }

        double audioSeconds()
        {
            return audioSamples / (double)sampleRate;
        }
    }

    private TestClient.Run clientWith(final Path input, final String... args)
    {
        final String[] all = Stream.concat(Stream.of("--video", input.toString()),
            Stream.of(args)).toArray(String[]::new);
        return client(all);
    }

    private TestClient.Run client(final String... args)
    {
        final boolean hasVideo = Arrays.asList(args).contains("--video");
        return TestClient.run(Stream.of(
            Stream.of("--port", Integer.toString(SERVER.port()), "--quiet"),
            hasVideo ? Stream.<String>empty() : Stream.of("--video", video.toString()),
            Stream.of(args)).flatMap(s -> s).toArray(String[]::new));
    }
}
