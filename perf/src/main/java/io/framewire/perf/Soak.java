package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.client.ClientMain;
import io.framewire.samples.SyntheticVideo;
import io.framewire.server.media.EncoderSettings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long life without growth: one server process (and one worker process) runs {@code JOBS} short jobs one after
 * another, each with a viewer asking for its page, frames, GIF and thumbnails while it runs; every {@code EVERY}
 * jobs the server's resident memory (what the OS sees, no collection forced), open file descriptors and threads
 * are sampled from /proc. Prints a CSV of the samples, then the first, last and largest resident size.
 *
 * <pre>java @jvm.options -cp ... io.framewire.perf.Soak [JOBS] [EVERY]</pre>
 */
public final class Soak
{
    private static final Pattern PREVIEW_URL = Pattern.compile("preview: (http://\\S+)/jobs/([0-9]+)/\\?token=(\\S+)");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Soak()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        final int every = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        final Path dir = Files.createTempDirectory("framewire-soak");
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        final Path video = dir.resolve("short.mp4");
        SyntheticVideo.write(video, 640, 360, 50, 25);
        System.out.println("jobs,rss_mib,fds,threads,seconds");
        final long startNs = System.nanoTime();
        long firstRss = -1;
        long lastRss = -1;
        long maxRss = 0;
        try (BenchCluster cluster = BenchCluster.start(dir.resolve("cluster"), 1, false, EncoderSettings.DEFAULT);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            for (int job = 1; job <= jobs; job++)
            {
                runJob(cluster, video, dir.resolve("out.mp4"), http);
                if (job % every == 0 || job == 1)
                {
                    final long pid = cluster.server.pid();
                    final long rssKb = status(pid, "VmRSS:");
                    final long fds;
                    try (var list = Files.list(Path.of("/proc/" + pid + "/fd")))
                    {
                        fds = list.count();
                    }
                    final long threads = status(pid, "Threads:");
                    System.out.printf(Locale.ROOT, "%d,%.1f,%d,%d,%.0f%n", job, rssKb / 1024.0, fds, threads,
                        (System.nanoTime() - startNs) / 1e9);
                    firstRss = firstRss < 0 ? rssKb : firstRss;
                    lastRss = rssKb;
                    maxRss = Math.max(maxRss, rssKb);
                }
            }
        }
        System.out.printf(Locale.ROOT, "# RSS first %.0f MiB, last %.0f MiB, max %.0f MiB over %d jobs%n",
            firstRss / 1024.0, lastRss / 1024.0, maxRss / 1024.0, jobs);
    }

    /** One job, in this JVM's client; a viewer thread asks for the job's preview while it runs. */
    private static void runJob(final BenchCluster cluster, final Path video, final Path out, final HttpClient http)
        throws Exception
    {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final PipedErr stderr = new PipedErr();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong asked = new AtomicLong();
        final Thread viewer = Thread.ofVirtual().start(() ->
        {
            Matcher url = null;
            while (running.get() && url == null)
            {
                final Matcher found = PREVIEW_URL.matcher(stderr.text());
                url = found.find() ? found : null;
                sleep(5);
            }
            if (url == null)
            {
                return;
            }
            final String base = "http://127.0.0.1:" + cluster.previewPort + "/jobs/" + url.group(2);
            final String token = "?token=" + url.group(3);
            final String[] paths = {"/", "/preview.gif", "/thumbnails/0.jpg", "/frame/0"};
            while (running.get())
            {
                final String path = paths[ThreadLocalRandom.current().nextInt(paths.length)];
                try
                {
                    http.send(HttpRequest.newBuilder(URI.create(base + path + token)).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.previewPort +
                        "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                    asked.addAndGet(2);
                }
                catch (final IOException | InterruptedException ignored)
                {
                    // limited or gone: the next one
                }
                sleep(50);
            }
        });
        final int code = ClientMain.run(new PrintStream(stdout, true, StandardCharsets.UTF_8), stderr.stream(),
            "--port", Integer.toString(cluster.port), "--video", video.toString(), "--out", out.toString(),
            "--quiet", "--preview");
        running.set(false);
        viewer.join();
        if (code != 0)
        {
            throw new IllegalStateException("a job failed (" + code + "): " + stderr.text());
        }
        final JsonNode result = MAPPER.readTree(stdout.toString(StandardCharsets.UTF_8));
        if (!"ok".equals(result.get("status").asText()) || result.get("frames").asInt() != 50)
        {
            throw new IllegalStateException("a job came back incomplete: " + result);
        }
    }

    private static long status(final long pid, final String field) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
        {
            if (line.startsWith(field))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The client's stderr, readable while it is written. */
    private static final class PipedErr
    {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        PrintStream stream()
        {
            return stream;
        }

        String text()
        {
            synchronized (bytes)
            {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
