package io.framewire.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * A job's result for a person: three lines of what was saved, how fast, and where the full metrics are; the JSON
 * itself is for programs (stdout when it is not a terminal, or the metrics file).
 */
final class ResultSummary
{
    private ResultSummary()
    {
    }

    static String of(final JsonNode result, final String out, final String metricsFile)
    {
        final JsonNode latency = result.path("latency_ms").path("dispatch_to_result");
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "saved %s (%s): %d frames, %dx%d, %s", out,
            size(result.path("output_bytes").asLong()), result.path("frames").asLong(), result.path("width").asInt(),
            result.path("height").asInt(), encoding(result)));
        text.append(System.lineSeparator());
        text.append(String.format(Locale.ROOT, "%.1f fps over %.1f s, first frame after %.0f ms; a frame's round " +
            "trip to the workers %.0f / %.0f / %.0f ms (p50 / p95 / p99); %d %s",
            result.path("fps").asDouble(), result.path("wall_ms").asDouble() / 1000,
            result.path("first_frame_ms").asDouble(), latency.path("p50").asDouble(),
            latency.path("p95").asDouble(), latency.path("p99").asDouble(), result.path("retries").asLong(),
            result.path("retries").asLong() == 1 ? "retry" : "retries"));
        if (result.path("detections_total").asLong() > 0)
        {
            text.append(String.format(Locale.ROOT, "; %d detections", result.path("detections_total").asLong()));
        }
        text.append(System.lineSeparator());
        text.append("metrics (JSON): ").append(metricsFile);
        return text.toString();
    }

    private static String encoding(final JsonNode result)
    {
        final String codec = result.path("codec").asText("?");
        final String encoder = result.path("encoder").asText("");
        if (result.has("crf"))
        {
            return codec + " (" + encoder + ", crf " + result.get("crf").asInt() + ")";
        }
        return codec + " (" + encoder + ", " + result.path("bitrate_kbps").asLong() + " kbit/s)";
    }

    private static String size(final long bytes)
    {
        if (bytes >= 1 << 20)
        {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f kB", bytes / 1e3);
    }
}
