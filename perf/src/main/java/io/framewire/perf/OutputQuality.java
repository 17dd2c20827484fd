package io.framewire.perf;

import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.ProcessingTypes;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * What encoding cost each side's output, as PSNR against its own unencoded filtered frames: framewire's output
 * against the processing type's pipeline run here on the decoded input (the workers' filters, not a copy of them),
 * FFmpeg's against its filter graph's output by FFmpeg's {@code psnr} filter. Both are mean PSNR over the frames, in
 * dB, of the BGR (framewire) or YUV (FFmpeg, luma and chroma weighted as FFmpeg does) pixels.
 */
final class OutputQuality
{
    private static final Pattern FFMPEG_PSNR = Pattern.compile("average:([0-9.]+|inf)");

    private OutputQuality()
    {
    }

    /** Mean PSNR of framewire's output against {@code processing} applied to each input frame. */
    static double framewire(final Path input, final Path output, final String processing) throws Exception
    {
        try (FFmpegFrameGrabber in = new FFmpegFrameGrabber(input.toFile());
            FFmpegFrameGrabber out = new FFmpegFrameGrabber(output.toFile());
            OpenCVFrameConverter.ToMat inConverter = new OpenCVFrameConverter.ToMat();
            OpenCVFrameConverter.ToMat outConverter = new OpenCVFrameConverter.ToMat();
            FilterChain chain = ProcessingTypes.pipeline(processing, Map.of()).build();
            Mat previous = new Mat();
            Mat expected = new Mat())
        {
            in.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            out.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            in.start();
            out.start();
            double sum = 0;
            long frames = 0;
            boolean first = true;
            Frame inFrame;
            while ((inFrame = in.grabImage()) != null)
            {
                final Frame outFrame = out.grabImage();
                if (outFrame == null)
                {
                    throw new IllegalStateException(output + " has fewer frames than " + input);
                }
                final Mat current = inConverter.convert(inFrame);
                chain.apply(current, first ? null : previous, expected);
                final Mat actual = outConverter.convert(outFrame);
                // The output may be padded to even sides; compare the input's area.
                try (Mat region = actual.apply(new Rect(0, 0, expected.cols(),
                    expected.rows())))
                {
                    sum += Math.min(100, opencv_core.PSNR(region, expected));
                }
                current.copyTo(previous);
                first = false;
                frames++;
            }
            return frames == 0 ? 0 : sum / frames;
        }
    }

    /** Mean PSNR of FFmpeg's output against the same filter graph, unencoded, as FFmpeg's {@code psnr} reports it. */
    static double ffmpeg(final Path input, final Path output, final String filter)
        throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(List.of("ffmpeg", "-hide_banner", "-nostdin", "-i",
            output.toString(), "-i", input.toString(), "-lavfi", "[1:v]" + filter + ",format=yuv420p[ref];" +
                "[0:v]format=yuv420p[enc];[enc][ref]psnr", "-f", "null", "-"))
            .redirectErrorStream(true).start();
        final String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        final Matcher matcher = FFMPEG_PSNR.matcher(log);
        String last = null;
        while (matcher.find())
        {
            last = matcher.group(1);
        }
        if (last == null)
        {
            throw new IllegalStateException("ffmpeg's psnr filter printed no average: " + log);
        }
        return "inf".equals(last) ? 100 : Double.parseDouble(last);
    }
}
