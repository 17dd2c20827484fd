package io.framewire.server.preview;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.framewire.codec.JsonMessages;
import io.framewire.server.access.TokenFile;
import io.framewire.server.media.FrameSnapshot;
import io.framewire.server.metrics.JobHistory;
import io.framewire.server.metrics.ServerMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The preview web server: live metrics as JSON and Prometheus text, processed frames as JPEG, the preview GIF,
 * and a live page. Every path is matched against a fixed set of routes; nothing is ever read from disk by a
 * name taken from the request, so junk and traversal paths get 404 or 400.
 *
 * <pre>
 *   GET /                              live page of the jobs the caller may see (also /jobs/ID/: that job)
 *   GET /metrics                       JSON; Prometheus text when the Accept header asks for text/plain
 *   GET /metrics/prometheus            Prometheus text format
 *   GET /jobs/ID/frame/N               processed frame N of job ID as JPEG
 *   GET /jobs/ID/preview.gif
 *   GET /jobs/ID/thumbnails/I.jpg      the job's I-th thumbnail
 * </pre>
 *
 * A job is seen only with its view token: {@code ?token=} (the URL its client prints), which the answer turns into
 * a cookie for the page's later requests. {@code /metrics} lists the jobs whose tokens the caller holds, all of them
 * for a caller with a metrics token ({@code Authorization: Bearer}); with {@code --metrics-tokens} the Prometheus
 * text needs one too.
 */
public final class PreviewServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PreviewServer.class);
    private static final Pattern JOB_PATH = Pattern.compile("/jobs/([^/]+)(/.*)?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern JOB_ID = Pattern.compile("[0-9]{1,19}");
    private static final String COOKIE_PREFIX = "fw_job_";
    private static final int COOKIE_MAX_AGE_S = 86_400;
    private static final int MAX_WAITING = 256;
    private static final int WRITE_BYTES = 16 * 1024;

    private final List<HttpServer> servers;
    private final RequestLimits limits = new RequestLimits(SystemNanoClock.INSTANCE);
    private static final byte[] TOO_MANY = ("{\"error\":\"too_many_requests\",\"message\":\"slow down: the preview " +
        "shares the server's CPU with the jobs\"}\n").getBytes(StandardCharsets.UTF_8);
    private final ExecutorService executor;
    private final JobHistory history;
    private final ServerMetrics metrics;
    private final TokenFile metricsTokens;
    private final byte[] page;
    private final PrometheusTextFormatWriter prometheus = PrometheusTextFormatWriter.create();

    /**
     * @param addresses where to listen, on the same port: the first takes {@code port} (0: any free one), the others
     *                  the port it got.
     * @param metricsTokens who may read every job's metrics; null: the Prometheus text is open to whoever reaches
     *                      the port, and no caller sees a job without its view token.
     */
    public PreviewServer(final List<InetAddress> addresses, final int port, final JobHistory history,
        final ServerMetrics metrics, final TokenFile metricsTokens) throws IOException
    {
        this.history = history;
        this.metrics = metrics;
        this.metricsTokens = metricsTokens;
        try (InputStream in = PreviewServer.class.getResourceAsStream("/preview/index.html"))
        {
            page = in.readAllBytes();
        }
        // One thread at the lowest priority: however many ask, the preview takes what the jobs leave, at most a core.
        // Requests past MAX_WAITING are refused (the JDK's server closes their connections): a flood of them costs
        // neither unbounded memory nor minutes of latency for the page's own requests.
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_WAITING),
            runnable -> Thread.ofPlatform().daemon().name("preview-http").unstarted(() ->
            {
                LowPriority.thisThread();
                // Again at the first request: a dispatcher thread may not have had its name yet at start-up.
                LowPriority.threadsNamed("HTTP-Dispatcher");
                runnable.run();
            }), new ThreadPoolExecutor.AbortPolicy());
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
        LowPriority.threadsNamed("HTTP-Dispatcher"); // the JDK's thread that accepts and reads the requests
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
                tooMany(exchange);
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
            default ->
            {
                final Matcher job = JOB_PATH.matcher(path);
                if (!job.matches())
                {
                    notFound(exchange, "no such page");
                    return;
                }
                if (!JOB_ID.matcher(job.group(1)).matches())
                {
                    send(exchange, 400, "text/plain", "job id must be a number\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                final long id = Long.parseLong(job.group(1));
                final String rest = job.group(2) == null ? "/" : job.group(2);
                final String queryToken = queryToken(exchange);
                final boolean byQuery = history.mayView(id, queryToken);
                if (!byQuery && !history.mayView(id, cookies(exchange).get(COOKIE_PREFIX + id)))
                {
                    if (history.get(id) == null)
                    {
                        notFound(exchange, "no such job (the server keeps the running jobs and the last " +
                            JobHistory.KEEP_FINISHED + " finished ones)");
                    }
                    else
                    {
                        send(exchange, 403, "text/plain", ("job " + id + " is shown only with its view token: open " +
                            "the URL its client printed (--preview)\n").getBytes(StandardCharsets.UTF_8));
                    }
                    return;
                }
                if (byQuery)
                {
                    exchange.getResponseHeaders().add("Set-Cookie", COOKIE_PREFIX + id + "=" + queryToken +
                        "; Path=/; Max-Age=" + COOKIE_MAX_AGE_S + "; HttpOnly; SameSite=Strict");
                }
                // A job admitted but not started (its upload still coming) already has its page.
                final JobHistory.Entry entry = history.get(id);
                if (entry == null && !rest.equals("/"))
                {
                    notFound(exchange, "job " + id + " has not started yet");
                    return;
                }
                if (rest.equals("/"))
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

    private static String queryToken(final HttpExchange exchange)
    {
        final String query = exchange.getRequestURI().getRawQuery();
        if (query != null)
        {
            for (final String pair : query.split("&"))
            {
                if (pair.startsWith("token="))
                {
                    return pair.substring("token=".length());
                }
            }
        }
        return null;
    }

    private static Map<String, String> cookies(final HttpExchange exchange)
    {
        final Map<String, String> cookies = new HashMap<>();
        for (final String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of()))
        {
            for (final String cookie : header.split(";"))
            {
                final int equals = cookie.indexOf('=');
                if (equals > 0)
                {
                    // RFC 2965 clients quote the value.
                    cookies.put(cookie.substring(0, equals).strip(),
                        cookie.substring(equals + 1).strip().replace("\"", ""));
                }
            }
        }
        return cookies;
    }

    /** A caller holding a metrics token: it sees every job's metrics. */
    private boolean operator(final HttpExchange exchange)
    {
        final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        return metricsTokens != null && authorization != null && authorization.startsWith("Bearer ") &&
            metricsTokens.authenticate(authorization.substring("Bearer ".length()).strip()) != null;
    }

    private static boolean wantsPrometheus(final HttpExchange exchange)
    {
        final String accept = exchange.getRequestHeaders().getFirst("Accept");
        return accept != null && (accept.contains("text/plain") || accept.contains("openmetrics")) &&
            !accept.contains("application/json");
    }

    private void metrics(final HttpExchange exchange, final boolean prometheusText) throws IOException
    {
        final boolean operator = operator(exchange);
        if (prometheusText)
        {
            if (metricsTokens != null && !operator)
            {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                send(exchange, 401, "text/plain", ("the Prometheus metrics need a metrics token (Authorization: " +
                    "Bearer TOKEN, from --metrics-tokens)\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            prometheus.write(out, metrics.prometheus());
            send(exchange, 200, prometheus.getContentType(), out.toByteArray());
        }
        else
        {
            final Map<String, String> cookies = cookies(exchange);
            send(exchange, 200, "application/json", JsonMessages.MAPPER.writeValueAsBytes(metrics.json(job ->
                operator || history.mayView(Long.parseLong(job), cookies.get(COOKIE_PREFIX + job)))));
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
        byte[] jpeg = entry.cachedFrame(n);
        final Path output = entry.output();
        if (jpeg == null && output != null && n < entry.job().ring().encoded())
        {
            if (!limits.allowRender())
            {
                tooMany(exchange);
                return;
            }
            final long startNs = System.nanoTime();
            try
            {
                jpeg = FrameSnapshot.jpeg(output, n, !entry.job().running());
            }
            finally
            {
                limits.rendered(System.nanoTime() - startNs);
            }
            if (jpeg != null)
            {
                entry.cacheFrame(n, jpeg);
            }
        }
        if (jpeg == null)
        {
            notFound(exchange, "frame " + n + " is not processed yet (frames show once their 2 s group is written)");
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=86400"); // a written frame stays
        sendImage(exchange, "image/jpeg", jpeg);
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
        sendImage(exchange, "image/jpeg", all.get(i).jpeg());
    }

    private void gif(final HttpExchange exchange, final JobHistory.Entry entry) throws IOException
    {
        final byte[] gif = entry.gif().gif();
        if (gif == null)
        {
            notFound(exchange, "no preview yet");
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        sendImage(exchange, "image/gif", gif);
    }

    /** An image, if what the preview sends stays within its bytes a second; else 429. */
    private void sendImage(final HttpExchange exchange, final String type, final byte[] image) throws IOException
    {
        if (!limits.allowBytes(image.length))
        {
            tooMany(exchange);
            return;
        }
        send(exchange, 200, type, image);
    }

    private static void tooMany(final HttpExchange exchange) throws IOException
    {
        exchange.getResponseHeaders().set("Retry-After", "1");
        send(exchange, 429, "application/json", TOO_MANY);
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
            // In slices: the JDK's server keeps, per connection, a buffer as large as the largest write, so one
            // write of a GIF would hold megabytes for as long as each viewer's connection stays open.
            try (OutputStream out = exchange.getResponseBody())
            {
                for (int at = 0; at < body.length; at += WRITE_BYTES)
                {
                    out.write(body, at, Math.min(WRITE_BYTES, body.length - at));
                }
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
