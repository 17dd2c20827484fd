package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.client.ClientMain;
import io.framewire.samples.SyntheticVideo;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import io.framewire.server.media.EncoderSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code framewire bench}: a real server, N real worker processes and M concurrent real clients on generated
 * inputs, for each size and processing type; reports per run the jobs' wall time and fps, per-frame latency
 * percentiles (dispatch to result, decode to encode), time to the first processed frame, CPU seconds per frame
 * and peak RSS of the server and workers, and retries; writes every run's latency histograms to an HdrHistogram log
 * ({@code latency.hlog}) and plots them ({@code latency-SIZE.png}); samples the server's {@code /metrics} twice a
 * second
 * into {@code fps.csv} and plots frames per second over time ({@code fps-SIZE.png}). Optionally the FFmpeg CLI runs
 * the equivalent
 * filter on the same input, in the same run, for the ratio.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure framewire end to end: real server, workers and clients on generated videos.")
public final class Bench implements Callable<Integer>
{
    @Option(names = "--size", split = ",", description = "Frame sizes (default: ${DEFAULT-VALUE})")
    List<String> sizes = List.of("1280x720", "1920x1080");

    @Option(names = "--seconds", description = "Length of the generated videos (default: ${DEFAULT-VALUE})")
    int seconds = 10;

    @Option(names = "--fps", description = "Frame rate of the generated videos (default: ${DEFAULT-VALUE})")
    int fps = 30;

    @Option(names = "--processing", split = ",", description = "Processing types (default: ${DEFAULT-VALUE})")
    List<String> processing = List.of("blur", "edges", "faces", "motion");

    @Option(names = "--workers", description = "Worker processes (default: ${DEFAULT-VALUE})")
    int workers = 1;

    @Option(names = "--clients", description =
        "Concurrent clients, each sending the whole video (default: ${DEFAULT-VALUE})")
    int clients = 1;

    @Option(names = "--paced",
        description =
            "Paced mode: the server decodes each video no faster than it plays (steady load, latency); default: " +
                "throughput, as fast as possible")
    boolean paced;

    @Option(names = "--compare-ffmpeg",
        description =
            "Also run the FFmpeg CLI's equivalent filter on the same input, with x264 set up as the server's: " +
            "--preset, --crf, no B-frames")
    boolean compareFfmpeg;

    @Option(names = "--preset", description =
        "x264's preset, for the server and the FFmpeg run (default: ${DEFAULT-VALUE})")
    String preset = EncoderSettings.DEFAULT_PRESET;

    @Option(names = "--crf", description = "x264's constant rate factor, for both (default: ${DEFAULT-VALUE})")
    int crf = EncoderSettings.DEFAULT_CRF;

    @Option(names = "--json", description = "Print the results as JSON instead of a table")
    boolean json;

    @Option(names = "--work-dir", description = "Where inputs, outputs and logs go (default: a new temporary folder)")
    Path workDir;

    /**
     * The server's heap flags, as {@code ./framewire server} passes them from {@code server/jvm.options}
     * (BenchTest keeps the two equal).
     */
    private final ObjectMapper mapper = new ObjectMapper();

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        if (workers < 1 || clients < 1 || seconds < 1 || fps < 1)
        {
            System.err.println("framewire bench: --workers, --clients, --seconds and --fps must be at least 1");
            return 2;
        }
        final Path dir = workDir != null ? Files.createDirectories(workDir) :
            Files.createTempDirectory("framewire-bench");
        final ArrayNode runs = mapper.createArrayNode();
        if (!json)
        {
            System.out.printf(Locale.ROOT, "%-10s %-8s %4s %4s %7s %7s %7s %9s %9s %9s %9s %8s %9s %8s %8s %7s %s%n",
                "size", "process", "wkrs", "jobs", "wall_s", "fps", "job_fps", "d2r_p50", "d2r_p95", "d2r_p99",
                    "d2e_p99",
                "first_ms", "cpu_ms/fr", "srv_MB", "wkr_MB", "retries",
                compareFfmpeg ? "ffmpeg_fps  ratio  ffmpeg_cpu  MB fw/ffmpeg  PSNR fw/ffmpeg" : "");
        }
        final HistogramLogWriter histogramLog = new HistogramLogWriter(dir.resolve("latency.hlog").toFile());
        histogramLog.outputComment("framewire bench: per run, dispatch->result (tag SIZE/PROCESSING/d2r) and " +
            "decode->encode (SIZE/PROCESSING/d2e) of all its jobs, in nanoseconds");
        histogramLog.outputLogFormatVersion();
        histogramLog.outputLegend();
        final BufferedWriter fpsLog = Files.newBufferedWriter(dir.resolve("fps.csv"));
        fpsLog.write("size,processing,t_s,fps_in,frames_processed_per_s,fps_out,server_cpu_percent\n");
        for (final String size : sizes)
        {
            final Map<String, Histogram> sizeHistograms = new LinkedHashMap<>();
            final Map<String, List<double[]>> sizeFps = new LinkedHashMap<>();
            final String[] wh = size.split("x");
            final int width = Integer.parseInt(wh[0]);
            final int height = Integer.parseInt(wh[1]);
            // Matroska, which decodes front to back: clients stream it, so the server decodes while it uploads.
            final Path input = dir.resolve("input-" + size + ".mkv");
            SyntheticVideo.write(input, width, height, seconds * fps, fps);
            try (BenchCluster cluster = BenchCluster.start(dir.resolve("cluster-" + size), workers, paced,
                new EncoderSettings(preset, crf, paced)))
            {
                for (final String type : processing)
                {
                    final long runStartMs = System.currentTimeMillis();
                    final List<double[]> fpsSamples = new ArrayList<>();
                    final ObjectNode run;
                    try (MetricsSampler sampler = new MetricsSampler(cluster.previewPort, fpsSamples))
                    {
                        run = runOnce(cluster, input, width, height, type, dir);
                    }
                    runs.add(run);
                    for (final double[] sample : fpsSamples)
                    {
                        fpsLog.write(String.format(Locale.ROOT, "%s,%s,%.2f,%.1f,%.1f,%.1f,%.0f%n", size, type,
                            sample[0], sample[1], sample[2], sample[3], sample[4]));
                    }
                    sizeFps.put(type, fpsSamples);
                    final Histogram d2r = BenchPlots.merged(run, "dispatch_to_result");
                    final Histogram d2e = BenchPlots.merged(run, "decode_to_encode");
                    for (final Histogram histogram : new Histogram[] {d2r, d2e})
                    {
                        histogram.setStartTimeStamp(runStartMs);
                        histogram.setEndTimeStamp(System.currentTimeMillis());
                    }
                    d2r.setTag(size + "/" + type + "/d2r");
                    d2e.setTag(size + "/" + type + "/d2e");
                    histogramLog.outputIntervalHistogram(d2r);
                    histogramLog.outputIntervalHistogram(d2e);
                    sizeHistograms.put(type, d2r);
                    if (!json)
                    {
                        printRow(run);
                    }
                }
            }
            BenchPlots.plot(dir.resolve("latency-" + size + ".png"), size, sizeHistograms);
            BenchPlots.plotFps(dir.resolve("fps-" + size + ".png"), size, sizeFps);
        }
        histogramLog.close();
        fpsLog.close();
        if (json)
        {
            System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(runs));
        }
        Files.writeString(dir.resolve("bench.json"), mapper.writerWithDefaultPrettyPrinter().writeValueAsString(runs));
        System.err.println("framewire bench: results, logs, latency.hlog, fps.csv and plots in " + dir);
        return 0;
    }

    private ObjectNode runOnce(final BenchCluster cluster, final Path input, final int width, final int height,
        final String type, final Path dir) throws Exception
    {
        final long[] cpuBefore = cluster.cpuNanos();
        cluster.resetPeakRss();
        final long startNs = System.nanoTime();
        final List<Process> running = new ArrayList<>();
        for (int i = 0; i < clients; i++)
        {
            running.add(BenchCluster.javaProcess(ClientMain.class.getName(), List.of("--port",
                Integer.toString(cluster.port),
                "--video", input.toString(), "--processing", type, "--out",
                dir.resolve("out-" + type + "-" + i + ".mp4").toString(), "--protocol", "stream", "--quiet"),
                dir.resolve("client-" + type + "-" + i + ".log"), dir.resolve("client-" + type + "-" + i + ".json")));
        }
        final List<JsonNode> results = new ArrayList<>();
        for (int i = 0; i < running.size(); i++)
        {
            final Process client = running.get(i);
            if (!client.waitFor(30, TimeUnit.MINUTES) || client.exitValue() != 0)
            {
                throw new IllegalStateException("client " + i + " (" + type + ") failed; see " + dir);
            }
            final List<String> lines = Files.readAllLines(dir.resolve("client-" + type + "-" + i + ".json"));
            results.add(mapper.readTree(lines.get(lines.size() - 1)));
        }
        final double wallS = (System.nanoTime() - startNs) / 1e9;
        final long[] cpuAfter = cluster.cpuNanos();
        long cpu = 0;
        for (int i = 0; i < cpuAfter.length; i++)
        {
            cpu += cpuAfter[i] - cpuBefore[i];
        }
        long frames = 0;
        long retries = 0;
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
        double d2eP99 = 0;
        double firstMs = 0;
        double jobSeconds = 0;
        for (final JsonNode result : results)
        {
            jobSeconds = Math.max(jobSeconds, result.get("elapsed_s").asDouble());
            frames += result.get("frames").asLong();
            retries += result.get("retries").asLong();
            final JsonNode d2r = result.get("latency_ms").get("dispatch_to_result");
            // Across concurrent jobs: the worst job's percentile, so no job's tail is averaged away.
            p50 = Math.max(p50, d2r.get("p50").asDouble());
            p95 = Math.max(p95, d2r.get("p95").asDouble());
            p99 = Math.max(p99, d2r.get("p99").asDouble());
            d2eP99 = Math.max(d2eP99, result.get("latency_ms").get("decode_to_encode").get("p99").asDouble());
            firstMs = Math.max(firstMs, result.get("first_frame_ms").asDouble());
        }
        final ObjectNode run = mapper.createObjectNode();
        run.put("size", width + "x" + height);
        run.put("processing", type);
        run.put("workers", workers);
        run.put("jobs", clients);
        run.put("mode", paced ? "paced" : "throughput");
        run.put("frames", frames);
        run.put("wall_s", round(wallS));
        run.put("fps", round(frames / wallS));
        // The server's side alone: from the job's start (upload received) to its last frame encoded.
        run.put("job_fps", round(frames / Math.max(1e-3, jobSeconds)));
        final ObjectNode latency = run.putObject("dispatch_to_result_ms");
        latency.put("p50", p50);
        latency.put("p95", p95);
        latency.put("p99", p99);
        run.put("decode_to_encode_p99_ms", d2eP99);
        run.put("first_frame_ms", firstMs);
        run.put("cpu_ms_per_frame", round(cpu / 1e6 / Math.max(1, frames)));
        final long[] rss = cluster.peakRssKb();
        run.put("server_peak_rss_mb", round(rss[0] / 1024.0));
        long workerMax = 0;
        for (int i = 1; i < rss.length; i++)
        {
            workerMax = Math.max(workerMax, rss[i]);
        }
        run.put("worker_peak_rss_mb", round(workerMax / 1024.0));
        run.put("retries", retries);
        run.set("jobs_results", mapper.valueToTree(results));
        final Path output = dir.resolve("out-" + type + "-0.mp4");
        run.put("output_bytes", Files.size(output));
        if (compareFfmpeg)
        {
            final JsonNode ffmpeg = FfmpegBaseline.run(input, type, seconds * fps, dir,
                new EncoderSettings(preset, crf, paced), paced);
            run.set("ffmpeg", ffmpeg);
            if (ffmpeg.has("fps"))
            {
                // Quality is part of the comparison: each output against its own unencoded filtered frames.
                run.put("psnr_db", round(OutputQuality.framewire(input, output, type)));
            }
        }
        return run;
    }

    private void printRow(final ObjectNode run)
    {
        String ffmpegCells = "";
        if (run.has("ffmpeg"))
        {
            final JsonNode ffmpeg = run.get("ffmpeg");
            ffmpegCells = ffmpeg.has("fps") ? String.format(Locale.ROOT,
                "%10.1f  %5.2f  %9.1f  %6.1f/%6.1f  %5.1f/%5.1f",
                ffmpeg.get("fps").asDouble(), run.get("fps").asDouble() / ffmpeg.get("fps").asDouble(),
                ffmpeg.path("cpu_ms_per_frame").asDouble(),
                run.get("output_bytes").asLong() / 1e6, ffmpeg.get("output_bytes").asLong() / 1e6,
                run.get("psnr_db").asDouble(), ffmpeg.get("psnr_db").asDouble()) : "       n/a";
        }
        final JsonNode latency = run.get("dispatch_to_result_ms");
        System.out.printf(Locale.ROOT,
            "%-10s %-8s %4d %4d %7.2f %7.1f %7.1f %9.2f %9.2f %9.2f %9.1f %8.0f %9.1f %8.0f %8.0f %7d %s%n",
            run.get("size").asText(), run.get("processing").asText(), run.get("workers").asInt(),
            run.get("jobs").asInt(), run.get("wall_s").asDouble(), run.get("fps").asDouble(),
                run.get("job_fps").asDouble(),
            latency.get("p50").asDouble(), latency.get("p95").asDouble(), latency.get("p99").asDouble(),
            run.get("decode_to_encode_p99_ms").asDouble(), run.get("first_frame_ms").asDouble(),
            run.get("cpu_ms_per_frame").asDouble(), run.get("server_peak_rss_mb").asDouble(),
            run.get("worker_peak_rss_mb").asDouble(), run.get("retries").asLong(), ffmpegCells);
    }

    static double round(final double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }

}
