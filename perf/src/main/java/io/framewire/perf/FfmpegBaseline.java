package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.server.media.EncoderSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The bench's baseline: the FFmpeg CLI running the nearest filter on the same input, encoding as the server does. */
final class FfmpegBaseline
{
    private FfmpegBaseline()
    {
    }

    /** The FFmpeg CLI's nearest filter, encoding with x264 as the server does; null where FFmpeg has no equivalent. */
    static JsonNode run(final Path input, final String type, final long frames, final Path dir,
        final EncoderSettings encoder, final boolean paced) throws Exception
    {
        final String filter = switch (type)
        {
            case "blur" -> "gblur=sigma=1.4"; // OpenCV's gaussian ksize 7 with sigma 0 means sigma 1.4
            case "edges" -> "edgedetect";
            default -> null;
        };
        final ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (filter == null)
        {
            node.put("skipped", "FFmpeg has no " + type + " filter");
            return node;
        }
        final long startNs = System.nanoTime();
        final Process process;
        try
        {
            // -benchmark prints the CPU FFmpeg used (at info level), for CPU per frame beside framewire's.
            final List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "info",
                "-nostats", "-benchmark", "-y", "-i", input.toString(), "-vf", filter, "-c:v", "libx264", "-preset",
                encoder.preset(), "-crf", Integer.toString(encoder.crf()), "-bf", "0", "-pix_fmt", "yuv420p"));
            if (paced)
            {
                command.addAll(List.of("-tune", "zerolatency"));
            }
            command.add(dir.resolve("ffmpeg-" + type + ".mp4").toString());
            process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("ffmpeg-" + type + ".log").toFile())
                .start();
        }
        catch (final IOException ex)
        {
            node.put("skipped", "no ffmpeg on the PATH (apt-get install ffmpeg)");
            return node;
        }
        if (process.waitFor() != 0)
        {
            node.put("skipped", "ffmpeg failed; see " + dir.resolve("ffmpeg-" + type + ".log"));
            return node;
        }
        final double wallS = (System.nanoTime() - startNs) / 1e9;
        node.put("filter", filter);
        node.put("wall_s", Bench.round(wallS));
        node.put("fps", Bench.round(frames / wallS));
        final Path output = dir.resolve("ffmpeg-" + type + ".mp4");
        node.put("output_bytes", Files.size(output));
        final Matcher bench = Pattern.compile("bench: utime=([0-9.]+)s stime=([0-9.]+)s")
            .matcher(Files.readString(dir.resolve("ffmpeg-" + type + ".log")));
        if (bench.find())
        {
            node.put("cpu_ms_per_frame", Bench.round((Double.parseDouble(bench.group(1)) +
                Double.parseDouble(bench.group(2))) *
                1000 / frames));
        }
        node.put("psnr_db", Bench.round(OutputQuality.ffmpeg(input, output, filter)));
        return node;
    }
}
