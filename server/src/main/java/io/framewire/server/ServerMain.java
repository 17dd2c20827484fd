package io.framewire.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.JsonMessages;
import io.framewire.server.media.EncoderSettings;
import io.framewire.transport.TransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code framewire server}: accept jobs from clients and process them on workers. */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the framewire server: TCP for clients, an Aeron media driver for workers.")
public final class ServerMain implements Callable<Integer>
{
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ServerMain.class);

    @Option(names = "--bind", description = "Address to listen on for clients: a loopback address means both ::1 " +
        "and 127.0.0.1; any other needs --auth-tokens (or --no-auth) (:: takes every interface, IPv4 too; default: " +
        "${DEFAULT-VALUE})")
    String bind = ServerContext.DEFAULT_BIND;

    @Option(names = "--auth-tokens", paramLabel = "FILE", description = "Admit only clients with a token listed in " +
        "FILE (a line 'NAME SHA256-HEX' each, from ./framewire token new; read again when it changes)")
    Path authTokens;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Speak TLS 1.3 on the client port with " +
        "the certificate and key in this PKCS#12 keystore (with --tls-keystore-password-file)")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
        description = "The file whose first line is the keystore's password")
    Path tlsPasswordFile;

    @Option(names = "--worker-secret-file", paramLabel = "FILE", description = "Workers joining over UDP " +
        "(--worker-endpoint) must prove the secret in FILE, the same file they are given (32 bytes or more)")
    Path workerSecret;

    @Option(names = "--preview-bind", description = "Address of the preview web server (a job is shown only with " +
        "its view token; beyond loopback it needs --metrics-tokens, or --no-auth, since the Prometheus text shows " +
        "every job's figures; default: ${DEFAULT-VALUE})")
    String previewBind = ServerContext.DEFAULT_BIND;

    @Option(names = "--metrics-tokens", paramLabel = "FILE", description = "Scrapers with a token in FILE (lines " +
        "as for --auth-tokens) read every job's metrics (Authorization: Bearer TOKEN); the Prometheus text then " +
        "needs one")
    Path metricsTokens;

    @Option(names = "--no-auth", description = "Allow --bind, --preview-bind or --worker-endpoint beyond loopback " +
        "although nobody who reaches them is authenticated: only on a network where everyone may submit, watch and " +
        "work")
    boolean noAuth;

    @Option(names = "--port", description = "TCP port for clients (default: ${DEFAULT-VALUE})")
    int port = ServerContext.DEFAULT_PORT;

    @Option(names = "--preview-port",
        description =
            "Port of the preview web server (live page, /metrics, frames, GIF); -1 for none (default: " +
                "${DEFAULT-VALUE})")
    int previewPort = ServerContext.DEFAULT_PREVIEW_PORT;

    @Option(names = "--codec", description =
        "Output codec when a client names none: h264 or vp9 (default: ${DEFAULT-VALUE})")
    String codec = ServerContext.DEFAULT_CODEC;

    @Option(names = "--preset", description = "x264's preset for H.264 output (default: ${DEFAULT-VALUE})")
    String preset = EncoderSettings.DEFAULT_PRESET;

    @Option(names = "--crf", description = "x264's constant rate factor, 0-51, for jobs that name no bitrate " +
        "(default: ${DEFAULT-VALUE})")
    int crf = EncoderSettings.DEFAULT_CRF;

    @Option(names = "--worker-rate", description =
        "Most frames per second sent to one worker; 0 for no limit (default: ${DEFAULT-VALUE})")
    double workerRate = ServerContext.DEFAULT_WORKER_RATE_LIMIT;

    @Option(names = "--thumbnails", description = "JPEG thumbnails per job, evenly spaced (default: ${DEFAULT-VALUE})")
    int thumbnails = ServerContext.DEFAULT_THUMBNAILS;

    @Option(names = "--default-processing",
        description = "Processing when a client names none: blur, edges, faces or motion (default: ${DEFAULT-VALUE})")
    String defaultProcessing = ServerContext.DEFAULT_PROCESSING;

    @Option(names = "--aeron-dir", description =
        "Aeron directory, shared with workers on this host (default: ${DEFAULT-VALUE})")
    String aeronDir = TransportConfig.aeronDir();

    @Option(names = "--worker-endpoint", paramLabel = "HOST[:PORT]",
        description = "Take workers from other hosts over UDP on this address of this host (port default: " +
            TransportConfig.DEFAULT_WORKER_PORT + "); workers join it with --server")
    String workerEndpoint;

    @Option(names = "--paced",
        description =
            "Decode each job no faster than its video plays, as a live source would (for measuring latency at a " +
                "steady load)")
    boolean paced;

    @Option(names = "--external-driver", description =
        "Use a media driver already running in --aeron-dir instead of embedding one")
    boolean externalDriver;

    @Option(names = "--data-dir", description =
        "Where uploads and outputs live while a job runs (default: ${DEFAULT-VALUE})")
    Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "framewire");

    @Option(names = "--window", description = "Frames of one job in flight at once (default: ${DEFAULT-VALUE})")
    int window = ServerContext.DEFAULT_WINDOW;

    @Option(names = "--max-jobs", description =
        "Jobs processed at once; more are refused as busy (default: ${DEFAULT-VALUE})")
    int maxJobs = ServerContext.DEFAULT_MAX_JOBS;

    @Option(names = "--max-upload-mb", description = "Largest upload accepted, in MiB (default: ${DEFAULT-VALUE})")
    long maxUploadMb = ServerContext.DEFAULT_MAX_UPLOAD_BYTES / MIB;

    @Option(names = "--max-handshake-kb",
        description =
            "Largest handshake accepted, in KiB; a handshake is a few hundred bytes (default: ${DEFAULT-VALUE})")
    int maxHandshakeKb = ServerContext.DEFAULT_MAX_HANDSHAKE_BYTES / KIB;

    @Option(names = "--read-timeout-ms", description = "Drop a client silent this long (default: ${DEFAULT-VALUE})")
    int readTimeoutMs = ServerContext.DEFAULT_READ_TIMEOUT_MS;

    @Option(names = "--keep-results", paramLabel = "SECONDS", description = "How long a finished job's output " +
        "waits for its client to take it up again (--resume, or a reconnect) (default: ${DEFAULT-VALUE})")
    int keepResultsS = ServerContext.DEFAULT_KEEP_RESULTS_S;

    @Option(names = "--abandoned-after", paramLabel = "SECONDS", description = "How long a job whose upload broke " +
        "off (a lost connection, or a server crash) waits for its client to send the rest; then its upload is " +
        "deleted (default: ${DEFAULT-VALUE})")
    int abandonedAfterS = ServerContext.DEFAULT_ABANDONED_AFTER_S;

    @Option(names = "--drain-s", description = "On SIGTERM or SIGINT, how long running jobs may take to finish " +
        "before they are stopped and kept for the next server on the data directory (default: ${DEFAULT-VALUE})")
    int drainS = 30;

    @Option(names = "--frame-timeout-ms", description =
        "Send a frame to another worker after this long (default: ${DEFAULT-VALUE})")
    long frameTimeoutMs = ServerContext.DEFAULT_FRAME_TIMEOUT_MS;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Override
    public Integer call()
    {
        final InetAddress bindAddress;
        try
        {
            bindAddress = InetAddress.getByName(bind);
        }
        catch (final UnknownHostException ex)
        {
            return usage("--bind " + bind + ": no such address");
        }
        if (!bindAddress.isLoopbackAddress() && !noAuth && authTokens == null)
        {
            return usage("--bind " + bind + " listens beyond loopback: give --auth-tokens FILE so that only clients " +
                "with a token get in, or --no-auth to accept anyone who reaches it (a trusted network only)");
        }
        final InetAddress previewAddress;
        try
        {
            previewAddress = InetAddress.getByName(previewBind);
        }
        catch (final UnknownHostException ex)
        {
            return usage("--preview-bind " + previewBind + ": no such address");
        }
        if (!previewAddress.isLoopbackAddress() && !noAuth && metricsTokens == null)
        {
            return usage("--preview-bind " + previewBind + " opens the Prometheus metrics of every job beyond " +
                "loopback: give --metrics-tokens FILE so that only scrapers with a token read them, or --no-auth");
        }
        String udpEndpoint = null;
        if (workerEndpoint != null)
        {
            try
            {
                udpEndpoint = TransportConfig.parseEndpoint(workerEndpoint, TransportConfig.DEFAULT_WORKER_PORT);
                final String host = udpEndpoint.substring(0, udpEndpoint.lastIndexOf(':')).replace("[", "")
                    .replace("]", "");
                if (!InetAddress.getByName(host).isLoopbackAddress() && !noAuth && workerSecret == null)
                {
                    return usage("--worker-endpoint " + workerEndpoint + " takes workers beyond loopback: give " +
                        "--worker-secret-file FILE so that only workers with the secret join, or --no-auth to let " +
                        "any host that reaches it join and receive frames (a private worker network only)");
                }
            }
            catch (final IllegalArgumentException | UnknownHostException ex)
            {
                return usage("--worker-endpoint: " + ex.getMessage());
            }
        }
        final ServerContext context = new ServerContext()
            .bind(bindAddress)
            .previewBind(previewAddress)
            .authTokens(authTokens)
            .metricsTokens(metricsTokens)
            .keepResultsS(keepResultsS)
            .abandonedAfterS(abandonedAfterS)
            .workerSecret(workerSecret)
            .tls(tlsKeystore, tlsPasswordFile)
            .port(port)
            .aeronDir(aeronDir)
            .embeddedDriver(!externalDriver)
            .dataDir(dataDir)
            .window(window)
            .maxJobs(maxJobs)
            .maxUploadBytes(maxUploadMb * MIB)
            .maxHandshakeBytes(maxHandshakeKb * KIB)
            .readTimeoutMs(readTimeoutMs)
            .frameTimeoutMs(frameTimeoutMs)
            .defaultProcessing(defaultProcessing)
            .previewPort(previewPort)
            .codec(codec)
            .thumbnails(thumbnails)
            .workerRateLimit(workerRate)
            .workerEndpoint(udpEndpoint)
            .paced(paced)
            .encoder(new EncoderSettings(preset, crf, paced));
        try
        {
            context.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            return usage(ex.getMessage());
        }
        // SIGINT or SIGTERM ends await(): the server stops taking clients, lets running jobs finish for up to
        // --drain-s, keeps the rest on disk for the next server, and the process exits 0.
        final StopSignal stop = new StopSignal();
        try (FramewireServer server = FramewireServer.start(context))
        {
            final List<String> listening = server.boundAddresses().stream()
                .map(address -> address.getAddress().getHostAddress()).toList();
            LOG.info("listening on {} port {}{}", listening, server.port(), authTokens != null ?
                " (clients need a token from " + authTokens + ")" : bindAddress.isLoopbackAddress() ?
                " (loopback only, no authentication: clients on this host; --bind ADDRESS --auth-tokens FILE for " +
                "others)" : " (no authentication: --no-auth)");
            final ObjectNode event = JsonMessages.MAPPER.createObjectNode().put("event", "listening");
            listening.forEach(event.putArray("bind")::add);
            event.put("port", server.port()).put("preview_port", server.previewPort()).put("aeron_dir", aeronDir);
            if (udpEndpoint != null)
            {
                event.put("worker_endpoint", udpEndpoint);
            }
            System.out.println(event);
            final String signal = stop.await();
            LOG.info("{}: taking no more clients; running jobs have {} s to finish", signal, drainS);
            if (!server.drain(Duration.ofSeconds(drainS)))
            {
                LOG.warn("jobs still running after {} s are stopped and kept for the next server on {}", drainS,
                    dataDir);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("framewire server: cannot start: " + (ex instanceof NoSuchFileException missing ?
                missing.getFile() + ": no such file" : ex.getMessage()));
            return 1;
        }
        return 0;
    }

    private static int usage(final String problem)
    {
        System.err.println("framewire server: " + problem);
        return 2;
    }
}
