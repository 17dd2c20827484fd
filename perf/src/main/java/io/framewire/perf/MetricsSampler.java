package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Polls the server's {@code /metrics} every 500 ms while a run goes on: seconds since the start, overall fps in,
 * frames processed per second, fps out, and the server's CPU percent.
 */
final class MetricsSampler implements AutoCloseable
{
    private final Thread thread;
    private volatile boolean running = true;

    MetricsSampler(final int port, final List<double[]> samples)
    {
        final long startNs = System.nanoTime();
        final ObjectMapper mapper = new ObjectMapper();
        final HttpClient http = HttpClient.newHttpClient();
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(2)).build();
        thread = Thread.ofPlatform().daemon().name("metrics-sampler").start(() ->
        {
            while (running)
            {
                try
                {
                    final JsonNode metrics = mapper.readTree(
                        http.send(request, HttpResponse.BodyHandlers.ofString()).body());
                    final JsonNode overall = metrics.get("overall");
                    synchronized (samples)
                    {
                        samples.add(new double[] {(System.nanoTime() - startNs) / 1e9,
                            overall.get("fps_in").asDouble(), overall.get("frames_processed_per_s").asDouble(),
                            overall.get("fps_out").asDouble(),
                                metrics.get("server").get("cpu_percent").asDouble()});
                    }
                    Thread.sleep(500);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                catch (final IOException | RuntimeException ex)
                {
                    // a missed sample leaves a gap in the plot, nothing more
                }
            }
        });
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
