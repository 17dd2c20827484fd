package io.framewire.server.preview;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.framewire.codec.JsonMessages;
import io.framewire.server.media.FrameSnapshot;
import io.framewire.server.metrics.JobHistory;
import io.framewire.server.metrics.ServerMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The preview web server: live metrics as JSON and Prometheus text, processed frames as JPEG, the preview GIF,
 * and a live page. Every path is matched against a fixed set of routes; nothing is ever read from disk by a
 * name taken from the request, so junk and traversal paths get 404 or 400.
 *
 * <pre>
 *   GET /                              live page (also /jobs/ID/)
 *   GET /metrics                       JSON; Prometheus text when the Accept header asks for text/plain
 *   GET /metrics/prometheus            Prometheus text format
 *   GET /frame/N, /jobs/ID/frame/N     processed frame N as JPEG (most recent job, or job ID)
 *   GET /preview.gif, /jobs/ID/preview.gif
 *   GET /jobs/ID/thumbnails/I.jpg      the job's I-th thumbnail
 * </pre>
 */
public final class PreviewServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PreviewServer.class);
    private static final Pattern JOB_PATH = Pattern.compile("/jobs/([^/]+)(/.*)?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");

    private final List<HttpServer> servers;
    private final RequestLimits limits = new RequestLimits();
    private static final byte[] TOO_MANY = ("{\"error\":\"too_many_requests\",\"message\":\"slow down: the preview " +
        "shares the server's CPU with the jobs\"}\n").getBytes(StandardCharsets.UTF_8);
    private final ExecutorService executor;
    private final JobHistory history;
    private final ServerMetrics metrics;
    private final byte[] page;
    private final PrometheusTextFormatWriter prometheus = PrometheusTextFormatWriter.create();

    /**
     * @param addresses where to listen, on the same port: the first takes {@code port} (0: any free one), the others
     *                  the port it got.
     */
    public PreviewServer(final List<InetAddress> addresses, final int port, final JobHistory history,
        final ServerMetrics metrics) throws IOException
    {
        this.history = history;
        this.metrics = metrics;
        try (InputStream in = PreviewServer.class.getResourceAsStream("/preview/index.html"))
        {
            page = in.readAllBytes();
        }
        executor = Executors.newFixedThreadPool(2, runnable -> Thread.ofPlatform().daemon().name("preview-http")
            .unstarted(runnable));
        final List<HttpServer> started = new ArrayList<>();
        try
        {
            int next = port;
            for (final InetAddress address : addresses)
            {
                final HttpServer server = HttpServer.create(new InetSocketAddress(address, next), 64);
                server.setExecutor(executor);
                server.createContext("/", this::handle);
                server.start();
                started.add(server);
                next = server.getAddress().getPort();
            }
        }
        catch (final IOException ex)
        {
            started.forEach(server -> server.stop(0));
            executor.shutdownNow();
            throw ex;
        }
        servers = List.copyOf(started);
    }

    public int port()
    {
        return servers.get(0).getAddress().getPort();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        // Not try-with-resources: that closes the exchange before a catch clause could still answer on it.
        try
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                send(exchange, 405, "text/plain", "only GET\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            final String path = exchange.getRequestURI().getRawPath();
            if (!limits.allow(exchange.getRemoteAddress().getAddress(), path))
            {
                exchange.getResponseHeaders().set("Retry-After", "1");
                send(exchange, 429, "application/json", TOO_MANY);
                return;
            }
            route(exchange, path);
        }
        catch (final Exception | LinkageError ex)
        {
            internalError(exchange, ex);
        }
        finally
        {
            exchange.close();
        }
    }

    /**
     * Every request gets an answer: a handler that fails answers 500 with a one-line JSON error, unless it had
     * begun its answer (then the client's own connection failed, most likely).
     */
    private static void internalError(final HttpExchange exchange, final Throwable ex)
    {
        if (exchange.getResponseCode() != -1)
        {
            LOG.debug("preview request {} failed after its answer began: {}", exchange.getRequestURI(), ex.toString());
            return;
        }
        LOG.warn("preview request {} failed", exchange.getRequestURI(), ex);
        try
        {
            final var body = JsonMessages.MAPPER.createObjectNode()
                .put("error", "internal")
                .put("message", String.valueOf(ex.getMessage() != null ? ex.getMessage() : ex.toString())
                    .lines().findFirst().orElse(""));
            send(exchange, 500, "application/json", JsonMessages.MAPPER.writeValueAsBytes(body));
        }
        catch (final IOException ignored)
        {
            // the client is gone
        }
    }

    private void route(final HttpExchange exchange, final String path) throws Exception
    {
        switch (path)
        {
            case "/", "/index.html" -> send(exchange, 200, "text/html; charset=utf-8", page);
            case "/metrics" -> metrics(exchange, wantsPrometheus(exchange));
            case "/metrics/prometheus" -> metrics(exchange, true);
            case "/preview.gif" -> gif(exchange, history.latest());
            default ->
            {
                if (path.startsWith("/frame/"))
                {
                    frame(exchange, history.latest(), path.substring("/frame/".length()));
                    return;
                }
                final Matcher job = JOB_PATH.matcher(path);
                if (!job.matches())
                {
                    notFound(exchange, "no such page");
                    return;
                }
                if (!NUMBER.matcher(job.group(1)).matches())
                {
                    send(exchange, 400, "text/plain", "job id must be a number\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                final JobHistory.Entry entry = history.get(Long.parseLong(job.group(1)));
                final String rest = job.group(2) == null ? "/" : job.group(2);
                if (entry == null)
                {
                    notFound(exchange, "no such job (the server keeps the running jobs and the last " +
                        JobHistory.KEEP_FINISHED + " finished ones)");
                }
                else if (rest.equals("/"))
                {
                    send(exchange, 200, "text/html; charset=utf-8", page);
                }
                else if (rest.equals("/preview.gif"))
                {
                    gif(exchange, entry);
                }
                else if (rest.startsWith("/frame/"))
                {
                    frame(exchange, entry, rest.substring("/frame/".length()));
                }
                else if (rest.startsWith("/thumbnails/") && rest.endsWith(".jpg"))
                {
                    thumbnail(exchange, entry, rest.substring("/thumbnails/".length(),
                        rest.length() - ".jpg".length()));
                }
                else
                {
                    notFound(exchange, "no such page");
                }
            }
        }
    }

    private static boolean wantsPrometheus(final HttpExchange exchange)
    {
        final String accept = exchange.getRequestHeaders().getFirst("Accept");
        return accept != null && (accept.contains("text/plain") || accept.contains("openmetrics")) &&
            !accept.contains("application/json");
    }

    private void metrics(final HttpExchange exchange, final boolean prometheusText) throws IOException
    {
        if (prometheusText)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            prometheus.write(out, metrics.prometheus());
            send(exchange, 200, prometheus.getContentType(), out.toByteArray());
        }
        else
        {
            send(exchange, 200, "application/json", JsonMessages.MAPPER.writeValueAsBytes(metrics.json()));
        }
    }

    private void frame(final HttpExchange exchange, final JobHistory.Entry entry, final String number)
        throws Exception
    {
        if (!NUMBER.matcher(number).matches())
        {
            send(exchange, 400, "text/plain", ("frame number must be a non-negative integer, got '" +
                number.replaceAll("[^ -~]", "?") + "'\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        final int n = Integer.parseInt(number);
        final Path output = entry == null ? null : entry.output();
        final byte[] jpeg = output == null || n >= entry.job().ring().encoded() ? null : FrameSnapshot.jpeg(output, n,
            !entry.job().running());
        if (jpeg == null)
        {
            notFound(exchange, "frame " + n + " is not processed yet (frames show once their 2 s group is written)");
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "image/jpeg", jpeg);
    }

    private void thumbnail(final HttpExchange exchange, final JobHistory.Entry entry, final String index)
        throws IOException
    {
        if (!NUMBER.matcher(index).matches())
        {
            send(exchange, 400, "text/plain", "thumbnail index must be a number\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        final var all = entry.thumbnails().all();
        final int i = Integer.parseInt(index);
        if (i >= all.size())
        {
            notFound(exchange, "no thumbnail " + i + " (yet)");
            return;
        }
        send(exchange, 200, "image/jpeg", all.get(i).jpeg());
    }

    private void gif(final HttpExchange exchange, final JobHistory.Entry entry) throws IOException
    {
        final byte[] gif = entry == null ? null : entry.gif().gif();
        if (gif == null)
        {
            notFound(exchange, "no preview yet");
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "image/gif", gif);
    }

    private static void notFound(final HttpExchange exchange, final String why) throws IOException
    {
        send(exchange, 404, "text/plain", (why + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(final HttpExchange exchange, final int status, final String type, final byte[] body)
        throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", type);
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    @Override
    public void close()
    {
        servers.forEach(server -> server.stop(0));
        executor.shutdownNow();
    }
}
