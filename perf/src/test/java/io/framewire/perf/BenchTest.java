package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.file.Files;

/** The bench harness on a tiny input: real processes, and a report whose figures add up. */
class BenchTest
{
    @TempDir
    Path dir;

    @Test
    void reportsEveryJobWithItsFigures() throws Exception
    {
        final int exit = new CommandLine(new Bench()).execute("--size", "320x240", "--seconds", "1", "--fps", "20",
            "--processing", "blur,edges", "--clients", "2", "--json", "--work-dir", dir.toString());
        assertEquals(0, exit);
        final JsonNode runs = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        assertEquals(2, runs.size());
        for (final JsonNode run : runs)
        {
            assertEquals(40, run.get("frames").asInt(), "two jobs of 20 frames: " + run);
            assertEquals(2, run.get("jobs_results").size());
            assertTrue(run.get("fps").asDouble() > 0 && run.get("wall_s").asDouble() > 0, run.toString());
            // The jobs run inside the wall time (which adds client start and upload), so they are faster.
            assertTrue(run.get("job_fps").asDouble() >= run.get("fps").asDouble(), run.toString());
            assertTrue(run.get("dispatch_to_result_ms").get("p99").asDouble() >=
                run.get("dispatch_to_result_ms").get("p50").asDouble(), run.toString());
            assertTrue(run.get("cpu_ms_per_frame").asDouble() > 0, run.toString());
            assertTrue(run.get("server_peak_rss_mb").asDouble() > 50 && run.get("worker_peak_rss_mb").asDouble() > 50,
                run.toString());
            assertTrue(run.get("first_frame_ms").asDouble() > 0, run.toString());
        }
        // The histogram log holds both runs' histograms, with as many values as frames.
        try (var log = new org.HdrHistogram.HistogramLogReader(dir.resolve("latency.hlog").toFile()))
        {
            int histograms = 0;
            org.HdrHistogram.EncodableHistogram histogram;
            while ((histogram = log.nextIntervalHistogram()) != null)
            {
                assertEquals(40, ((org.HdrHistogram.Histogram)histogram).getTotalCount(), histogram.getTag());
                histograms++;
            }
            assertEquals(4, histograms, "d2r and d2e for each of the two runs");
        }
        assertTrue(Files.size(dir.resolve("latency-320x240.png")) > 1000, "a plot");
        assertEquals("blur", runs.get(0).get("processing").asText());
        assertEquals("edges", runs.get(1).get("processing").asText());
    }

    /** The bench starts its server with server/jvm.options, the file {@code ./framewire server} uses. */
    @Test
    void serverFlagsAreServerJvmOptions() throws Exception
    {
        final List<String> flags = BenchCluster.serverJvmFlags();
        assertEquals(1, flags.size(), flags.toString());
        final Path file = Path.of(flags.get(0).substring(1));
        assertTrue(Files.readString(file).contains("-Xmx"), "the server's heap limit is in " + file);
        assertEquals(Path.of("..", "server", "jvm.options").toRealPath(), file.toRealPath());
    }

    /** Paced: the server takes the video no faster than it plays, so 40 frames at 10 fps take 4 s at least. */
    @Test
    void pacedModeTakesTheVideoAtItsOwnRate() throws Exception
    {
        final int exit = new CommandLine(new Bench()).execute("--size", "320x240", "--seconds", "4", "--fps", "10",
            "--processing", "blur", "--paced", "--json", "--work-dir", dir.toString());
        assertEquals(0, exit);
        final JsonNode run = new ObjectMapper().readTree(dir.resolve("bench.json").toFile()).get(0);
        assertEquals("paced", run.get("mode").asText());
        assertEquals(40, run.get("frames").asInt());
        final double jobMs = run.get("jobs_results").get(0).get("wall_ms").asDouble();
        assertTrue(jobMs >= 3800, "a 4 s video took " + jobMs + " ms");

        // fps over time, sampled from the server's /metrics while the job ran: at 10 fps for 4 s, some sample
        // shows frames going out, and none shows more than the pace allows (with a second's slack in the rate).
        final List<String[]> samples = Files.readAllLines(dir.resolve("fps.csv")).stream().skip(1)
            .map(line -> line.split(",")).toList();
        assertTrue(samples.size() >= 4, "samples over a 4 s run: " + samples.size());
        assertTrue(samples.stream().anyMatch(sample -> Double.parseDouble(sample[5]) > 0), "fps_out seen");
        assertTrue(samples.stream().allMatch(sample -> Double.parseDouble(sample[5]) <= 25), "paced fps_out");
        assertTrue(Files.size(dir.resolve("fps-320x240.png")) > 1000, "a plot of fps over time");
    }
}
