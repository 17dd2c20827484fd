package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ClientMain;
import io.framewire.client.ExitCode;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Containers, codecs and sizes a user may send: every frame comes back at the input's size and rate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputFormatsTest
{
    private static final int FRAMES = 20;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture(c -> c.thumbnails(5));

    @BeforeAll
    void start() throws Exception
    {
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({
        "in-h264.mp4, 640, 360, H264",
        "in-mpeg4.mkv, 320, 240, MPEG4",
        "in-vp9.webm, 320, 240, VP9",
        "in-mpeg4.avi, 720, 528, MPEG4",
        "in-mjpeg.avi, 320, 240, MJPEG",
        "in-portrait.mp4, 360, 640, MPEG4",
        // 24.9 MB per frame: more than Aeron's largest message, so tasks and results travel in parts.
        "in-4k.mp4, 3840, 2160, H264"})
    void everyFrameComesBackAtTheInputsSizeAndRate(final String name, final int width, final int height,
        final String codec) throws Exception
    {
        final Path input = dir.resolve(name);
        SyntheticVideo.write(input, width, height, FRAMES, 25, switch (codec)
        {
            case "H264" -> avcodec.AV_CODEC_ID_H264;
            case "VP9" -> avcodec.AV_CODEC_ID_VP9;
            case "MJPEG" -> avcodec.AV_CODEC_ID_MJPEG;
            default -> avcodec.AV_CODEC_ID_MPEG4;
        });
        final Path output = dir.resolve(name + ".out.mp4");
        final JsonNode result = run(input, output);
        assertEquals(width, result.get("width").asInt());
        assertEquals(height, result.get("height").asInt());
        assertTrue(result.get("input_complete").asBoolean(), result.toString());
        VideoAssertions.assertBlurredCopy(input, output, FRAMES, VideoAssertions.MIN_PSNR_DB);
    }

    @ParameterizedTest(name = "damaged at {0}%")
    @CsvSource({"30", "60"})
    void damagedPacketsDoNotStopTheJob(final int at) throws Exception
    {
        final Path input = dir.resolve("damaged-" + at + ".mkv");
        SyntheticVideo.write(input, 320, 240, 60, 25);
        final byte[] bytes = Files.readAllBytes(input);
        final int from = bytes.length * at / 100;
        for (int i = from; i < from + 2000 && i < bytes.length; i++)
        {
            bytes[i] = (byte)(bytes[i] ^ 0x5A);
        }
        Files.write(input, bytes);
        final JsonNode result = run(input, dir.resolve("damaged-" + at + ".out.mp4"));
        assertTrue(result.get("frames").asInt() > 60 * at / 100 - 5, "frames before the damage are kept: " + result);
    }

    private JsonNode run(final Path input, final Path output) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = ClientMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), "--port", Integer.toString(SERVER.port()),
            "--video", input.toString(), "--out", output.toString(), "--quiet");
        assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8));
        return JsonMessages.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    }

}
