package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.stream.StreamSupport;

/** Every processing type through the real server, worker processes and codecs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilterJobsEndToEndTest
{
    private static final int FRAMES = 30;

    @TempDir
    static Path dir;

    private Path video;
    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture(c -> c.thumbnails(5)).workers(1);

    @BeforeAll
    void start() throws Exception
    {
        video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 320, 240, FRAMES, 25);
    }

    @Test
    void motionOutputIsIdenticalWithOneWorkerOrTwoAndMatchesFrameDifferences() throws Exception
    {
        final JsonNode one = runOk("--processing", "motion", "--out", dir.resolve("motion-1.mp4").toString());
        assertEquals("diff:threshold=0", one.get("pipeline").asText());
        assertTrue(one.get("workers").size() >= 1, one.get("workers").toString());
        VideoAssertions.assertEachFrame(video, dir.resolve("motion-1.mp4"), FRAMES, 30.0,
            (current, previous, expected) ->
            {
                if (previous == null)
                {
                    expected.create(current.rows(), current.cols(), current.type());
                    expected.put(Scalar.all(0));
                }
                else
                {
                    opencv_core.absdiff(current, previous, expected);
                }
            });

        try (WorkerProcess second = WorkerProcess.start(SERVER.server().aeronDir(), dir.resolve("worker-2.log")))
        {
            second.awaitConnected();
            final JsonNode two = runOk("--processing", "motion", "--out", dir.resolve("motion-2.mp4").toString());
            final long embeddedPid = ProcessHandle.current().pid();
            final long externalWorkers = StreamSupport.stream(two.get("workers").spliterator(), false)
                .filter(share -> share.get("pid").asLong() != embeddedPid).count();
            assertEquals(2, externalWorkers, "both worker processes took frames: " + two.get("workers"));
            assertEquals(one.get("output_sha256").asText(), two.get("output_sha256").asText(),
                "the same video, bit for bit, whichever worker did which frame");

            final JsonNode flowOne = runOk("--processing", "motion", "--param", "method=flow", "--out",
                dir.resolve("flow-2.mp4").toString());
            assertTrue(flowOne.get("pipeline").asText().startsWith("flow:"));
            assertEquals(FRAMES, flowOne.get("frames").asInt());
        }
    }

    @Test
    void edgesAndCustomPipelinesRunEndToEnd() throws Exception
    {
        final JsonNode edges = runOk("--processing", "edges", "--param", "method=sobel", "--out",
            dir.resolve("sobel.mp4").toString());
        assertEquals("sobel:ksize=3,scale=1", edges.get("pipeline").asText());
        assertEquals(FRAMES, edges.get("frames").asInt());

        final Path custom = dir.resolve("custom.mp4");
        final JsonNode result = runOk("--pipeline", "gray|gaussian:ksize=5", "--out", custom.toString());
        assertEquals("gray|gaussian:ksize=5,sigma=0", result.get("pipeline").asText());
        try (Size kernel = new Size(5, 5); Mat grey = new Mat(); Mat blurred = new Mat())
        {
            VideoAssertions.assertEachFrame(video, custom, FRAMES, 35.0, (current, previous, expected) ->
            {
                opencv_imgproc.cvtColor(current, grey, opencv_imgproc.COLOR_BGR2GRAY);
                opencv_imgproc.GaussianBlur(grey, blurred, kernel, 0);
                opencv_imgproc.cvtColor(blurred, expected, opencv_imgproc.COLOR_GRAY2BGR);
            });
        }
    }

    @Test
    void facesAreDetectedInEveryFrameAndReportedInTheResult() throws Exception
    {
        final Path messi = Path.of("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
        Assumptions.assumeTrue(Files.isReadable(messi), "SKIPPED: " + messi + " is missing; install Debian's " +
            "opencv-doc package (.ci/run does)");
        final Path faces = dir.resolve("messi.mp4");
        final int frames = 5;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(faces.toFile(), 548, 342, 0);
            OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat())
        {
            recorder.setFormat("mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setVideoQuality(1);
            recorder.setFrameRate(10);
            recorder.start();
            final Mat image = opencv_imgcodecs.imread(messi.toString());
            for (int i = 0; i < frames; i++)
            {
                recorder.record(converter.convert(image));
            }
            recorder.stop();
        }
        final JsonNode result = runOk("--video", faces.toString(), "--processing", "faces", "--out",
            dir.resolve("faces-out.mp4").toString());
        final JsonNode detections = result.get("detections");
        assertEquals(detections.size(), result.get("detections_total").asInt());
        final boolean[] seen = new boolean[frames];
        for (final JsonNode box : detections)
        {
            seen[box.get("frame").asInt()] = true;
            assertTrue(box.get("w").asInt() >= 24 && box.get("x").asInt() >= 0, box.toString());
            // BlazeFace (the default method) says how sure it is and where the eyes, nose, mouth and ears are.
            assertTrue(box.get("score").asDouble() >= 0.5 && box.get("score").asDouble() <= 1, box.toString());
            assertEquals(6, box.get("keypoints").size(), box.toString());
            final int x = box.get("x").asInt();
            final int y = box.get("y").asInt();
            for (int eye = 0; eye < 2; eye++)
            {
                final JsonNode point = box.get("keypoints").get(eye);
                assertTrue(point.get(0).asInt() >= x && point.get(0).asInt() <= x + box.get("w").asInt() &&
                    point.get(1).asInt() >= y && point.get(1).asInt() <= y + box.get("h").asInt(),
                    "an eye inside its face's box: " + box);
            }
        }
        for (int i = 0; i < frames; i++)
        {
            assertTrue(seen[i], "no face reported in frame " + i + ": " + detections);
        }
    }

    @Test
    void unknownFiltersAndBadParametersAreRefusedBeforeUpload()
    {
        final TestClient.Run badValue = client("--processing", "edges", "--param", "high=5000", "--out",
            dir.resolve("x.mp4").toString());
        assertEquals(ExitCode.SERVER_ERROR, badValue.exitCode());
        assertTrue(badValue.stderr().contains("bad_parameter") && badValue.stderr().contains("high"),
            badValue.stderr());

        final TestClient.Run unknown = client("--pipeline", "gray|sharpen", "--out", dir.resolve("y.mp4").toString());
        assertEquals(ExitCode.SERVER_ERROR, unknown.exitCode());
        assertTrue(unknown.stderr().contains("unknown_filter") && unknown.stderr().contains("sharpen"),
            unknown.stderr());
        assertTrue(unknown.stderr().lines().noneMatch(line -> line.startsWith("upload")), "nothing was uploaded");
    }

    private JsonNode runOk(final String... args) throws Exception
    {
        final TestClient.Run run = client(args);
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        return JsonMessages.MAPPER.readTree(run.stdout());
    }

    private TestClient.Run client(final String... args)
    {
        final boolean hasVideo = Stream.of(args).anyMatch("--video"::equals);
        return TestClient.run(Stream.of(
            Stream.of("--port", Integer.toString(SERVER.port()), "--quiet"),
            hasVideo ? Stream.<String>empty() : Stream.of("--video", video.toString()),
            Stream.of(args)).flatMap(s -> s).toArray(String[]::new));
    }

}
