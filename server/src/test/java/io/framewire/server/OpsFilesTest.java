package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ExitCode;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files in ops/ as a deployment uses them: the systemd units pass {@code systemd-analyze verify}, and a real
 * Prometheus with ops/prometheus's configuration and rules scrapes a real server during a job, with a metrics
 * token, and every query of the Grafana dashboard returns data.
 */
class OpsFilesTest
{
    private static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir
    Path dir;

    @Test
    void systemdUnitsVerify() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE),
            "SKIPPED: systemd-analyze is not installed (Debian's systemd)");
        final Path launcher = OPS.resolveSibling("framewire");
        final List<String> units = new ArrayList<>();
        for (final String unit : new String[] {"framewire-server.service", "framewire-worker@.service"})
        {
            // As installed, with /opt/framewire being this checkout.
            final String text = Files.readString(OPS.resolve("systemd").resolve(unit))
                .replace("/opt/framewire/framewire", launcher.toString())
                .replace("/etc/framewire/framewire.env", OPS.resolve("systemd/framewire.env").toString());
            final Path copy = dir.resolve(unit.replace("@.", "@1."));
            Files.writeString(copy, text);
            units.add(copy.toString());
        }
        final List<String> command = new ArrayList<>(List.of(SYSTEMD_ANALYZE.toString(), "verify"));
        command.addAll(units);
        final Process verify = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), output);
        assertFalse(output.contains(dir.toString()), "no warning about the units: " + output);
    }

    @Test
    void aRealPrometheusScrapesARealServerAndEveryDashboardQueryHasData() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL),
            "SKIPPED: Prometheus is not installed (Debian's prometheus; .ci/run installs it)");
        final Path video = dir.resolve("in.mkv");
        SyntheticVideo.write(video, 320, 240, 150, 25);
        try (FramewireServer server = FramewireServer.start(ServerFixture.operated(ServerFixture.context(dir)
            .paced(true).previewPort(0), dir)))
        {
            final Path token = Files.writeString(dir.resolve("metrics-token"), ServerFixture.METRICS_TOKEN);
            final String config = Files.readString(OPS.resolve("prometheus/prometheus.yml"))
                .replace("scrape_interval: 5s", "scrape_interval: 1s")
                .replace("evaluation_interval: 5s", "evaluation_interval: 1s")
                .replace("- framewire-rules.yml", "- " + OPS.resolve("prometheus/framewire-rules.yml"))
                .replace("/etc/prometheus/framewire-metrics-token", token.toString())
                .replace("127.0.0.1:8080", "127.0.0.1:" + server.previewPort());
            final Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
            assertEquals(0, run(PROMTOOL.toString(), "check", "config", configFile.toString()));
            assertEquals(0, run(PROMTOOL.toString(), "check", "rules",
                OPS.resolve("prometheus/framewire-rules.yml").toString()));

            final int port = ServerFixture.freePort();
            final Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try (HttpClient http = HttpClient.newHttpClient())
            {
                awaitReady(http, port, prometheus);
                final CompletableFuture<TestClient.Run> job = TestClient.start(
                    "--port", Integer.toString(server.port()), "--video", video.toString(), "--out",
                    dir.resolve("out.mp4").toString(), "--quiet");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (query(http, port, "framewire_job_frames_encoded_total > 0").isEmpty())
                {
                    assertTrue(System.nanoTime() < deadline, "Prometheus scraped no frames: " +
                        Files.readString(dir.resolve("prometheus.log")));
                    Thread.sleep(500);
                }
                assertEquals(ExitCode.OK, job.get(60, TimeUnit.SECONDS).exitCode());
                Thread.sleep(3_000); // a few more scrapes and rule evaluations after the job

                final JsonNode dashboard = JsonMessages.MAPPER.readTree(OPS.resolve(
                    "grafana/framewire-dashboard.json").toFile());
                int queries = 0;
                for (final JsonNode panel : dashboard.get("panels"))
                {
                    for (final JsonNode target : panel.get("targets"))
                    {
                        final String expr = target.get("expr").asText();
                        assertFalse(query(http, port, expr).isEmpty(), panel.get("title").asText() + ": " + expr +
                            " returns no data");
                        queries++;
                    }
                }
                assertTrue(queries >= 10, "the dashboard's queries: " + queries);
                assertFalse(query(http, port, "framewire:fps_out:sum").isEmpty(), "recording rules evaluate");
                assertEquals("1", query(http, port, "sum(framewire_jobs_finished_total{status=\"ok\"})").get(0)
                    .get("value").get(1).asText(), "the job, finished ok");
                final JsonNode rules = JsonMessages.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/api/v1/rules?type=alert")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
                final List<String> alerts = new ArrayList<>();
                rules.get("data").get("groups").forEach(group -> group.get("rules").forEach(rule ->
                    alerts.add(rule.get("name").asText() + ":" + rule.get("state").asText())));
                assertEquals(5, alerts.size(), alerts.toString());
                assertTrue(alerts.stream().allMatch(alert -> alert.endsWith(":inactive")),
                    "nothing is wrong: " + alerts);
            }
            finally
            {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void awaitReady(final HttpClient http, final int port, final Process prometheus) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && prometheus.isAlive())
        {
            try
            {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200)
                {
                    return;
                }
            }
            catch (final IOException notYet)
            {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Prometheus did not start: " + Files.readString(dir.resolve("prometheus.log")));
    }

    /** An instant query's result vector. */
    private static JsonNode query(final HttpClient http, final int port, final String expr) throws Exception
    {
        final String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port +
            "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8))).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        final JsonNode answer = JsonMessages.MAPPER.readTree(body);
        assertEquals("success", answer.get("status").asText(), expr + ": " + body);
        return answer.get("data").get("result");
    }

    private int run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("promtool.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        if (process.exitValue() != 0)
        {
            System.err.println(Files.readString(dir.resolve("promtool.log")));
        }
        return process.exitValue();
    }
}
