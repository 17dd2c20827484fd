package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.client.ClientMain;
import io.framewire.server.media.EncoderSettings;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Does watching a job slow it down? One server process and one worker process; the same job (default: OpenCV's
 * vtest.avi, blur) runs alone, then under preview load: every second, a burst of {@code viewers} requests in
 * parallel (a quarter each: a random frame already written, the GIF, a thumbnail, {@code /metrics}), all from one
 * address, then each viewer from an address of its own (127.0.0.N) so that no per-client limit holds them back.
 * Runs alternate; the report gives each run's job time and how the requests were answered.
 *
 * <pre>java @jvm.options -cp ... io.framewire.perf.PreviewLoad [VIDEO] [VIEWERS] [ROUNDS]</pre>
 */
public final class PreviewLoad
{
    private static final Pattern PREVIEW_URL = Pattern.compile("preview: (http://\\S+)/jobs/([0-9]+)/\\?token=(\\S+)");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> PREVIEW_THREADS = List.of("preview-http", "HTTP-Dispatcher");

    private PreviewLoad()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("--viewers"))
        {
            viewers(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Boolean.parseBoolean(args[3]));
            return;
        }
        final Path video = Path.of(args.length > 0 ? args[0] : "/usr/share/doc/opencv-doc/examples/data/vtest.avi");
        final int viewers = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final Path dir = Files.createTempDirectory("framewire-preview-load");
        // Stopped early (Ctrl-C, kill), the server, worker, client and viewers go too, not on into the next run.
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        final List<double[]> times = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start(dir.resolve("cluster"), 1, false, EncoderSettings.DEFAULT))
        {
            runJob(cluster, video, dir, "warm-up", 0, false); // the first job pays for JIT and native loading
            for (int round = 0; round < rounds; round++)
            {
                final double alone = runJob(cluster, video, dir, "alone-" + round, 0, false);
                final double oneAddress = runJob(cluster, video, dir, "one-address-" + round, viewers, false);
                final double manyAddresses = runJob(cluster, video, dir, "many-addresses-" + round, viewers, true);
                times.add(new double[] {alone, oneAddress, manyAddresses});
            }
        }
        final double[] median = new double[3];
        for (int column = 0; column < 3; column++)
        {
            final int c = column;
            final double[] sorted = times.stream().mapToDouble(t -> t[c]).sorted().toArray();
            median[column] = sorted[sorted.length / 2];
        }
        System.out.printf(Locale.ROOT, "median job time: alone %.2f s; %d viewers from one address %.2f s " +
            "(%+.1f %%); from %d addresses %.2f s (%+.1f %%)%n", median[0], viewers, median[1],
            100 * (median[1] / median[0] - 1), viewers, median[2], 100 * (median[2] / median[0] - 1));
    }

    /** @return the job's time in seconds, from the client's start to its exit. */
    private static double runJob(final BenchCluster cluster, final Path video, final Path dir, final String name,
        final int viewers, final boolean manyAddresses) throws Exception
    {
        final Path err = dir.resolve(name + ".err");
        Process load = null;
        if (viewers > 0)
        {
            // The viewers are a process of their own at the lowest priority, started (and warm) before the job:
            // what slows the job is then the server answering them, not the load generator sharing its cores.
            final List<String> command = new ArrayList<>(List.of("nice", "-n", "19"));
            command.addAll(BenchCluster.javaCommand(PreviewLoad.class.getName(), List.of(), List.of("--viewers",
                Integer.toString(cluster.previewPort), Integer.toString(viewers), Boolean.toString(manyAddresses))));
            load = new ProcessBuilder(command).redirectError(dir.resolve(name + ".load.err").toFile()).start();
            final String ready = new String(load.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
            if (!ready.equals("ready\n"))
            {
                throw new IllegalStateException("the viewers did not start; see " + dir);
            }
        }
        final long[] cpuBefore = cluster.cpuNanos();
        final long previewBefore = cluster.serverThreadCpuNanos(PREVIEW_THREADS);
        final long startNs = System.nanoTime();
        final Process client = BenchCluster.javaProcess(ClientMain.class.getName(), List.of("--port",
            Integer.toString(cluster.port), "--video", video.toString(), "--processing", "blur", "--out",
            dir.resolve(name + ".mp4").toString(), "--quiet", "--preview"), err, dir.resolve(name + ".json"));
        String answered = " -";
        long loadCpuNanos = 0;
        if (load != null)
        {
            Matcher url = null;
            while (url == null && client.isAlive())
            {
                final Matcher found = PREVIEW_URL.matcher(Files.readString(err, StandardCharsets.UTF_8));
                url = found.find() ? found : null;
                Thread.sleep(10);
            }
            if (url != null)
            {
                load.getOutputStream().write((url.group(2) + " " + url.group(3) + "\n").getBytes(
                    StandardCharsets.UTF_8));
                load.getOutputStream().flush();
            }
            client.waitFor();
            loadCpuNanos = BenchCluster.procCpuNanos(load.pid());
            load.getOutputStream().close(); // the job is over: the viewers stop and report
            answered = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            load.waitFor(30, TimeUnit.SECONDS);
        }
        if (!client.waitFor(10, TimeUnit.MINUTES) || client.exitValue() != 0)
        {
            throw new IllegalStateException(name + ": the client failed; see " + err);
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final long[] cpuAfter = cluster.cpuNanos();
        final double previewCpuS = (cluster.serverThreadCpuNanos(PREVIEW_THREADS) - previewBefore) / 1e9;
        double jobCpuS = 0;
        for (int i = 0; i < cpuAfter.length; i++)
        {
            jobCpuS += (cpuAfter[i] - cpuBefore[i]) / 1e9;
        }
        final List<String> lines = Files.readAllLines(dir.resolve(name + ".json"));
        final JsonNode result = MAPPER.readTree(lines.getLast());
        System.out.printf(Locale.ROOT, "%-18s %6.2f s  %d frames  CPU s: server+worker %.1f, of it preview %.2f, " +
            "viewers %.1f  %s%n", name, seconds, result.get("frames").asLong(), jobCpuS, previewCpuS,
            loadCpuNanos / 1e9, answered);
        return seconds;
    }

    /**
     * Says "ready", reads "JOB TOKEN" from stdin, then sends bursts of requests, one a second, until stdin closes;
     * then prints how they were answered.
     */
    private static void viewers(final int port, final int viewers, final boolean manyAddresses) throws Exception
    {
        final HttpClient[] clients = new HttpClient[manyAddresses ? viewers : 1];
        for (int i = 0; i < clients.length; i++)
        {
            clients[i] = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .localAddress(InetAddress.getByName("127.0.0." + (2 + i % 250))).build();
        }
        System.out.print("ready\n");
        System.out.flush();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
            StandardCharsets.UTF_8));
        final String line = in.readLine();
        if (line == null)
        {
            System.out.println("no job");
            return;
        }
        final String job = line.split(" ")[0];
        final String token = line.split(" ")[1];
        final AtomicBoolean running = new AtomicBoolean(true);
        Thread.ofPlatform().daemon().start(() ->
        {
            try
            {
                while (in.readLine() != null)
                {
                    // until the job is over
                }
            }
            catch (final IOException ignored)
            {
                // stop all the same
            }
            running.set(false);
        });
        final String base = "http://127.0.0.1:" + port + "/jobs/" + job;
        final ConcurrentHashMap<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
        int bursts = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            while (running.get())
            {
                final long burstNs = System.nanoTime();
                final long encoded = encoded(clients[0], port, job, token);
                for (int i = 0; i < viewers; i++)
                {
                    final HttpClient http = clients[i % clients.length];
                    final String path = switch (i % 4)
                    {
                        case 0 -> base + "/frame/" + (encoded > 0 ? ThreadLocalRandom.current().nextLong(encoded) :
                            0) + "?token=" + token;
                        case 1 -> base + "/preview.gif?token=" + token;
                        case 2 -> base + "/thumbnails/" + i % 5 + ".jpg?token=" + token;
                        default -> "http://127.0.0.1:" + port + "/metrics";
                    };
                    pool.execute(() -> answers.computeIfAbsent(status(http, path), code -> new AtomicInteger())
                        .incrementAndGet());
                }
                bursts++;
                final long leftMs = 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstNs);
                if (leftMs > 0)
                {
                    Thread.sleep(leftMs);
                }
            }
        }
        final StringBuilder answered = new StringBuilder(bursts + " bursts of " + viewers + " requests, answers");
        answers.keySet().stream().sorted().forEach(code -> answered.append(' ').append(code).append(':')
            .append(answers.get(code).get()));
        System.out.println(answered);
    }

    private static long encoded(final HttpClient http, final int port, final String job, final String token)
    {
        try
        {
            final HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port +
                "/metrics")).header("Cookie", "fw_job_" + job + "=" + token).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
            for (final JsonNode node : MAPPER.readTree(page.body()).path("jobs"))
            {
                if (job.equals(node.get("job").asText()))
                {
                    return node.get("frames_encoded").asLong();
                }
            }
        }
        catch (final Exception ignored)
        {
            // limited or not started: ask for frame 0
        }
        return 0;
    }

    private static int status(final HttpClient http, final String uri)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }
}
