package io.framewire.perf;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import io.framewire.server.job.JobFailedException;
import io.framewire.server.media.EncoderSettings;
import io.framewire.server.media.OutputFormat;
import io.framewire.samples.SyntheticVideo;
import io.framewire.server.media.VideoSink;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Milliseconds per frame of the output encoders as the server configures them (H.264 by x264 at {@link #preset}
 * and CRF 23, or libopenh264 in the LGPL build; VP9 by libvpx-vp9 in real time), on 60 changing frames of the
 * synthetic test video; the output is counted (bytes per frame, printed at the end) and discarded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class EncoderBenchmark
{
    @Param({"h264", "vp9"})
    public String codec;

    @Param({"1280x720", "1920x1080"})
    public String size;

    /** The frames as the encoder gets them: BGR24 (converted by FFmpeg's swscale) or YUV 4:2:0 already. */
    @Param({"bgr24", "yuv420p"})
    public String input;

    /** x264's preset (H.264 only). */
    @Param({EncoderSettings.DEFAULT_PRESET})
    public String preset;

    private final List<ByteBuffer> frames = new ArrayList<>();
    private long encodedFrames;
    private final AtomicLong outputBytes = new AtomicLong();
    private VideoSink sink;
    private int width;
    private int height;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final String[] wh = size.split("x");
        width = Integer.parseInt(wh[0]);
        height = Integer.parseInt(wh[1]);
        final Path input = Files.createTempFile("encoder-bench", ".mp4");
        SyntheticVideo.write(input, width, height, 60, 30);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(input.toFile()))
        {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            grabber.start();
            Frame frame;
            while ((frame = grabber.grabImage()) != null)
            {
                final ByteBuffer source = (ByteBuffer)frame.image[0];
                final ByteBuffer copy = ByteBuffer.allocateDirect(width * height * 3);
                for (int row = 0; row < height; row++)
                {
                    copy.put(row * width * 3, source, row * frame.imageStride, width * 3);
                }
                if ("yuv420p".equals(input))
                {
                    final ByteBuffer yuv = ByteBuffer.allocateDirect(width * height * 3 / 2);
                    try (Mat bgr = new Mat(height,
                        width, opencv_core.CV_8UC3, new BytePointer(copy));
                        Mat i420 = new Mat(height * 3 / 2,
                            width, opencv_core.CV_8UC1, new BytePointer(yuv)))
                    {
                        org.bytedeco.opencv.global.opencv_imgproc.cvtColor(bgr, i420,
                            opencv_imgproc.COLOR_BGR2YUV_I420);
                    }
                    frames.add(yuv);
                }
                else
                {
                    frames.add(copy);
                }
            }
        }
        Files.delete(input);
        final OutputStream counting = new OutputStream()
        {
            @Override
            public void write(final int b)
            {
                outputBytes.incrementAndGet();
            }

            @Override
            public void write(final byte[] bytes, final int offset, final int length)
            {
                outputBytes.addAndGet(length);
            }
        };
        sink = VideoSink.open(counting, width, height, 30, new OutputFormat(codec, "mp4", 0,
            new EncoderSettings(preset, EncoderSettings.DEFAULT_CRF, false)));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws JobFailedException
    {
        sink.finish();
        sink.close();
        System.out.printf("%n%s %s %s: %d bytes per frame over %d frames%n", codec, size, preset,
            outputBytes.get() / Math.max(1, encodedFrames), encodedFrames);
    }

    @Benchmark
    public boolean encodeFrame() throws Exception
    {
        final ByteBuffer frame = frames.get(next++ % frames.size());
        encodedFrames++;
        return "yuv420p".equals(input) ?
            sink.recorder().recordImage(width, height, Frame.DEPTH_UBYTE, 1, width, avutil.AV_PIX_FMT_YUV420P, frame) :
            sink.recorder().recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, avutil.AV_PIX_FMT_BGR24, frame);
    }
}
