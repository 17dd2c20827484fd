package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ClientMain;
import io.framewire.client.ExitCode;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import io.framewire.server.access.TokenFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.file.Files;

/** Every preview endpoint over real HTTP while a real job runs, then after it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreviewEndToEndTest
{
    private static final int FRAMES = 250;
    private static final Pattern PREVIEW_URL = Pattern.compile("http://\\S+/jobs/([0-9]+)/\\?token=([A-Za-z0-9_-]+)");

    @TempDir
    static Path dir;

    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture(c -> c.previewPort(0).thumbnails(5));
    private Path video;
    /** A viewer: keeps the cookie a job's view token is turned into. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .cookieHandler(new CookieManager()).build();
    /** Someone who reaches the port and holds no token. */
    private final HttpClient stranger = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception
    {
        video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 640, 360, FRAMES, 25);
    }

    @Test
    void everyEndpointDuringAndAfterARealJob() throws Exception
    {
        final ByteArrayOutputStream clientOut = new ByteArrayOutputStream();
        final ByteArrayOutputStream clientErr = new ByteArrayOutputStream();
        final CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> ClientMain.run(
            new PrintStream(clientOut, true, StandardCharsets.UTF_8), new PrintStream(clientErr, true,
                StandardCharsets.UTF_8),
            "--port", Integer.toString(SERVER.port()), "--video", video.toString(), "--out",
            dir.resolve("out.mp4").toString(), "--quiet", "--preview"));
        final Matcher url = awaitPreviewUrl(clientErr);
        final String id = url.group(1);
        assertEquals(200, get(url.group(0).substring(url.group(0).indexOf("/jobs/"))).statusCode(),
            "the page the client's URL opens, which sets the view cookie");

        // Live metrics: the job shows up running, its counters only ever grow.
        final List<Long> encoded = new ArrayList<>();
        JsonNode running = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !job.isDone())
        {
            final JsonNode metrics = JsonMessages.MAPPER.readTree(get("/metrics").body());
            if (metrics.get("jobs").size() > 0 && "running".equals(metrics.get("jobs").get(0).get("status").asText()))
            {
                running = metrics;
                encoded.add(metrics.get("jobs").get(0).get("frames_encoded").asLong());
                if (encoded.getLast() > 60)
                {
                    break;
                }
            }
            Thread.sleep(100);
        }
        assertNotNull(running, "saw the job running in /metrics");
        for (int i = 1; i < encoded.size(); i++)
        {
            assertTrue(encoded.get(i) >= encoded.get(i - 1), "frames_encoded never goes back: " + encoded);
        }
        final JsonNode live = running.get("jobs").get(0);
        assertEquals(640, live.get("width").asInt());
        assertEquals("gaussian:ksize=7,sigma=0", live.get("pipeline").asText());
        assertTrue(live.get("frames_decoded").asLong() >= live.get("frames_encoded").asLong());
        assertTrue(live.get("progress").asDouble() >= 0 && live.get("progress").asDouble() <= 1);
        for (final String field : new String[] {"fps_in", "fps_out", "frames_processed_per_s", "retries_per_frame"})
        {
            assertTrue(live.get(field).asDouble() >= 0, field);
        }
        assertTrue(live.get("latency_ms").get("dispatch_to_result").get("p50").asDouble() > 0);
        assertTrue(live.get("queued").has("waiting_reorder"));
        assertTrue(running.get("server").get("cpu_percent").asDouble() >= 0);
        assertFalse(running.get("workers").isEmpty(), "the embedded worker is listed");
        assertTrue(running.get("overall").get("latency_ms").get("decode_to_encode").has("p99"));

        // A processed frame as JPEG while the job runs, at the video's size.
        final BufferedImage frame = ImageIO.read(new ByteArrayInputStream(await("/jobs/" + id + "/frame/3", 200, 30)
            .body()));
        assertEquals(640, frame.getWidth());
        assertEquals(360, frame.getHeight());

        // The GIF, animated, during the job.
        final byte[] gif = await("/jobs/" + id + "/preview.gif", 200, 30).body();
        assertTrue(gifFrames(gif) > 1, "the preview GIF is animated");

        final HttpResponse<byte[]> prometheus = get("/metrics/prometheus");
        assertEquals(200, prometheus.statusCode());
        assertTrue(prometheus.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        final String text = new String(prometheus.body(), StandardCharsets.UTF_8);
        assertTrue(text.contains("framewire_job_frames_encoded_total{job=\"" + id + "\""), text);
        assertTrue(text.contains("framewire_worker_cpu_percent"), text);
        final HttpResponse<byte[]> negotiated = http.send(HttpRequest.newBuilder(uri("/metrics"))
            .header("Accept", "text/plain;version=0.0.4").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(new String(negotiated.body(),
            StandardCharsets.UTF_8).contains("# TYPE framewire_job_fps_out gauge"));

        assertEquals(ExitCode.OK, job.get(120, TimeUnit.SECONDS), clientErr.toString(StandardCharsets.UTF_8));
        final String stderr = clientErr.toString(StandardCharsets.UTF_8);
        assertTrue(stderr.contains("preview: http://[::1]:" + SERVER.server().previewPort() + "/jobs/" + id +
            "/?token="), stderr);

        // Thumbnails: 5, evenly spaced over the video, listed in the result and served as JPEG.
        final JsonNode thumbnails = JsonMessages.MAPPER.readTree(clientOut.toString(StandardCharsets.UTF_8))
            .get("thumbnails");
        assertEquals(5, thumbnails.size(), thumbnails.toString());
        assertEquals(0, thumbnails.get(0).get("frame").asInt());
        assertEquals(FRAMES - 1, thumbnails.get(4).get("frame").asInt());
        for (final JsonNode thumbnail : thumbnails)
        {
            final BufferedImage image =
                ImageIO.read(new ByteArrayInputStream(get(thumbnail.get("url").asText()).body()));
            assertEquals(320, image.getWidth());
            assertEquals(180, image.getHeight());
        }

        // After the job: its last frame, its page, the final GIF.
        assertEquals(200, get("/jobs/" + id + "/frame/" + (FRAMES - 1)).statusCode());
        assertEquals(200, get("/jobs/" + id + "/").statusCode());
        assertTrue(gifFrames(get("/jobs/" + id + "/preview.gif").body()) > 1);
        final JsonNode after = JsonMessages.MAPPER.readTree(get("/metrics").body()).get("jobs").get(0);
        assertEquals("ok", after.get("status").asText());
        assertEquals(FRAMES, after.get("frames_total").asInt());
        assertEquals(1.0, after.get("progress").asDouble());
    }

    /**
     * A job is seen only with its view token: not by counting ids, not with a wrong token, not in the metrics of
     * someone without it; the token's cookie shows it.
     */
    @Test
    void aJobIsSeenOnlyWithItsViewToken() throws Exception
    {
        final TestClient.Run first = TestClient.run("--port", Integer.toString(SERVER.port()), "--video",
            video.toString(), "--out", dir.resolve("private-1.mp4").toString(), "--quiet", "--preview");
        final TestClient.Run second = TestClient.run("--port", Integer.toString(SERVER.port()), "--video",
            video.toString(), "--out", dir.resolve("private-2.mp4").toString(), "--quiet", "--preview");
        assertEquals(ExitCode.OK, first.exitCode(), first.stderr());
        assertEquals(ExitCode.OK, second.exitCode(), second.stderr());
        final long a = first.result().get("job").asLong();
        final long b = second.result().get("job").asLong();
        assertTrue(a > 1L << 32 && b > 1L << 32 && Math.abs(a - b) > 1_000, "random ids, not a counter: " + a +
            ", " + b);
        final Matcher url = PREVIEW_URL.matcher(first.stderr());
        assertTrue(url.find(), first.stderr());
        assertEquals(Long.toString(a), url.group(1));
        final String token = url.group(2);
        assertTrue(token.length() >= 22, "128 bits or more: " + token);

        for (final String path : new String[] {"/", "/frame/0", "/preview.gif", "/thumbnails/0.jpg"})
        {
            assertEquals(403, send(stranger, "/jobs/" + a + path).statusCode(), path + " without the token");
            assertEquals(403, send(stranger, "/jobs/" + a + path + "?token=" + token.substring(1) + "x")
                .statusCode(), path + " with a wrong token");
        }
        assertEquals(403, send(stranger, "/jobs/" + b + "/frame/0?token=" + token).statusCode(),
            "one job's token does not show another");
        assertFalse(send(stranger, "/metrics").body().length == 0);
        assertEquals(0, JsonMessages.MAPPER.readTree(send(stranger, "/metrics").body()).get("jobs").size(),
            "no job in the metrics of a caller without tokens");

        final HttpClient viewer = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        final HttpResponse<byte[]> page = send(viewer, "/jobs/" + a + "/?token=" + token);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Set-Cookie").orElse("").contains("HttpOnly"), page.headers().map()
            .toString());
        assertEquals(200, send(viewer, "/jobs/" + a + "/frame/0").statusCode(), "the cookie shows the job");
        final JsonNode jobs = JsonMessages.MAPPER.readTree(send(viewer, "/metrics").body()).get("jobs");
        assertEquals(1, jobs.size(), jobs.toString());
        assertEquals(a, jobs.get(0).get("job").asLong());
        assertEquals(403, send(viewer, "/jobs/" + b + "/frame/0").statusCode());
    }

    /** With --metrics-tokens the Prometheus text needs a token, and a token's holder sees every job in /metrics. */
    @Test
    void metricsTokensGuardEveryJobsFigures() throws Exception
    {
        final String[] scraper = TokenFile.newToken("prometheus");
        final Path tokens = dir.resolve("metrics-tokens");
        Files.writeString(tokens, scraper[1] + "\n");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir.resolve("guarded"))
            .previewPort(0).metricsTokens(tokens)))
        {
            final TestClient.Run run = TestClient.run("--port", Integer.toString(server.port()), "--video",
                video.toString(), "--out", dir.resolve("guarded.mp4").toString(), "--quiet");
            assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
            final String id = run.result().get("job").asText();
            final URI prometheus = URI.create("http://127.0.0.1:" + server.previewPort() + "/metrics/prometheus");
            final URI json = URI.create("http://127.0.0.1:" + server.previewPort() + "/metrics");
            final HttpResponse<String> refused = stranger.send(HttpRequest.newBuilder(prometheus).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode());
            assertEquals("Bearer", refused.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, stranger.send(HttpRequest.newBuilder(prometheus).header("Authorization",
                "Bearer " + scraper[0] + "x").build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            final HttpResponse<String> scraped = stranger.send(HttpRequest.newBuilder(prometheus)
                .header("Authorization", "Bearer " + scraper[0]).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scraped.statusCode());
            assertTrue(scraped.body().contains("job=\"" + id + "\""), scraped.body());
            final JsonNode all = JsonMessages.MAPPER.readTree(stranger.send(HttpRequest.newBuilder(json)
                .header("Authorization", "Bearer " + scraper[0]).build(), HttpResponse.BodyHandlers.ofString())
                .body());
            assertEquals(id, all.get("jobs").get(0).get("job").asText());
            assertEquals(403, stranger.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                server.previewPort() + "/jobs/" + id + "/frame/0")).header("Authorization", "Bearer " + scraper[0])
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "figures, not frames");
        }
    }

    /** The preview's threads run at the lowest CPU priority: viewers get what the jobs leave. */
    @Test
    void thePreviewRunsAtTheLowestPriority() throws Exception
    {
        assertEquals(404, get("/jobs/424242/").statusCode()); // the request thread exists once it has served
        final List<Integer> niceness = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks.toList())
            {
                final String name = Files.readString(task.resolve("comm")).strip();
                if (name.equals("preview-http") || name.equals("HTTP-Dispatcher"))
                {
                    final String stat = Files.readString(task.resolve("stat"));
                    niceness.add(Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
                }
            }
        }
        assertTrue(niceness.size() >= 3, "a request thread and a dispatcher per address: " + niceness);
        assertTrue(niceness.stream().allMatch(n -> n == 19), "niceness 19: " + niceness);
    }

    /** A client that asks for frames faster than the limit gets 429 with Retry-After, and the rest still answers. */
    @Test
    void aClientAskingTooFastIsToldToSlowDown() throws Exception
    {
        int tooMany = 0;
        String retryAfter = null;
        for (int i = 0; i < 40; i++)
        {
            // A frame of no job: answered at once (404), so the 40 come well within a second, limited all the same.
            final HttpResponse<byte[]> response = sendOnce(http, "/jobs/424242/frame/" + i);
            if (response.statusCode() == 429)
            {
                tooMany++;
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
            }
        }
        assertTrue(tooMany > 0, "40 frames at once from one client are over the limit");
        assertEquals("1", retryAfter);
        assertEquals(200, get("/metrics").statusCode(), "light requests have their own allowance");
        Thread.sleep(1_500); // the allowance refills for the class's other tests
        assertEquals(404, get("/jobs/424242/frame/0").statusCode(), "a second later frames are served again");
    }

    @Test
    void badAndHostilePathsGet400Or404AndNeverAFile() throws Exception
    {
        assertEquals(404, get("/frame/1").statusCode(), "no 'latest job' without its token");
        assertEquals(404, get("/preview.gif").statusCode());
        assertEquals(400, get("/jobs/x/frame/1").statusCode());
        assertEquals(404, get("/jobs/424242/frame/1").statusCode());
        assertEquals(404, get("/nothing-here").statusCode());
        assertEquals(200, get("/").statusCode());
        for (final String path : new String[] {"/../../../../etc/passwd", "/frame/../../../../etc/passwd",
            "/frame/..%2F..%2F..%2Fetc%2Fpasswd", "/jobs/1/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
            "/preview.gif/../../../etc/passwd"})
        {
            final String response = raw(path);
            final int status = Integer.parseInt(response.substring(9, 12));
            assertTrue(status == 400 || status == 404, path + " -> " + response.lines().findFirst().orElse(""));
            assertFalse(response.contains("root:"), path + " leaked a file");
        }
    }

    /** A handler that fails still answers: 500 with a one-line JSON error, never a dropped connection. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aFailingHandlerAnswers500() throws Exception
    {
        final TestClient.Run run = TestClient.run("--port", Integer.toString(SERVER.port()), "--video",
            video.toString(), "--out", dir.resolve("for-500.mp4").toString(), "--quiet", "--preview");
        assertEquals(ExitCode.OK, run.exitCode(), run.stderr());
        final String job = run.result().get("job").asText();
        final Matcher url = PREVIEW_URL.matcher(run.stderr());
        assertTrue(url.find(), run.stderr());
        assertEquals(200, get(url.group(0).substring(url.group(0).indexOf("/jobs/"))).statusCode());
        // The kept output of a finished job is not a video any more: decoding its frame fails in the handler.
        // (The server moves the output there just after sending the result: wait for it first.)
        final Path kept = SERVER.dataDir().resolve("preview").resolve("job-" + job + ".mp4");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(kept) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals(200, await("/jobs/" + job + "/frame/0", 200, 10).statusCode(), "the kept output is served");
        Files.writeString(kept, "not a video any more");
        assertEquals(200, get("/jobs/" + job + "/frame/0").statusCode(), "a frame made once is kept, not made again");
        final HttpResponse<byte[]> response = get("/jobs/" + job + "/frame/1");
        assertEquals(500, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        final JsonNode error = JsonMessages.MAPPER.readTree(response.body());
        assertEquals("internal", error.get("error").asText());
        assertFalse(error.get("message").asText().contains("\n"), "one line");
        assertEquals(200, get("/metrics").statusCode(), "and the server goes on answering");
    }

    private HttpResponse<byte[]> await(final String path, final int status, final int seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpResponse<byte[]> response = get(path);
        while (response.statusCode() != status && System.nanoTime() < deadline)
        {
            Thread.sleep(200);
            response = get(path);
        }
        assertEquals(status, response.statusCode(), path + ": " + new String(response.body(), StandardCharsets.UTF_8));
        return response;
    }

    private HttpResponse<byte[]> get(final String path) throws Exception
    {
        return send(http, path);
    }

    /** As a polite client: told 429, it waits the Retry-After and asks again (a slow machine renders slowly). */
    private HttpResponse<byte[]> send(final HttpClient client, final String path) throws Exception
    {
        HttpResponse<byte[]> response = sendOnce(client, path);
        for (int tries = 0; response.statusCode() == 429 && tries < 20; tries++)
        {
            Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
            response = sendOnce(client, path);
        }
        return response;
    }

    private HttpResponse<byte[]> sendOnce(final HttpClient client, final String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Matcher awaitPreviewUrl(final ByteArrayOutputStream stderr) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            final Matcher url = PREVIEW_URL.matcher(stderr.toString(StandardCharsets.UTF_8));
            if (url.find())
            {
                return url;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no preview URL: " + stderr.toString(StandardCharsets.UTF_8));
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + SERVER.server().previewPort() + path);
    }

    /** Sends the path exactly as given, without any client normalising it. */
    private String raw(final String path) throws Exception
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.server().previewPort()))
        {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static int gifFrames(final byte[] gif) throws Exception
    {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif)))
        {
            final ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            return reader.getNumImages(true);
        }
    }
}
