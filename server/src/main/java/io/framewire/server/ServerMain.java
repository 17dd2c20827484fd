package io.framewire.server;

import io.framewire.transport.TransportConfig;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.ProcessingTypes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import io.framewire.server.media.EncoderSettings;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code framewire server}: accept jobs from clients and process them on workers. */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the framewire server: TCP for clients, an Aeron media driver for workers.")
public final class ServerMain implements Callable<Integer>
{
    @Option(names = "--bind", description = "Address to listen on, for clients and the preview: a loopback address " +
        "means both ::1 and 127.0.0.1; any other needs --no-auth, since clients do not authenticate yet " +
        "(:: takes every interface, IPv4 too; default: ${DEFAULT-VALUE})")
    String bind = "::1";

    @Option(names = "--no-auth", description = "Allow --bind or --worker-endpoint beyond loopback although nobody who " +
        "reaches them is authenticated: only on a network where everyone may submit, watch and work")
    boolean noAuth;

    @Option(names = "--port", description = "TCP port for clients (default: ${DEFAULT-VALUE})")
    int port = 9090;

    @Option(names = "--preview-port",
        description = "Port of the preview web server (live page, /metrics, frames, GIF); -1 for none (default: ${DEFAULT-VALUE})")
    int previewPort = 8080;

    @Option(names = "--codec", description = "Output codec when a client names none: h264 or vp9 (default: ${DEFAULT-VALUE})")
    String codec = "h264";

    @Option(names = "--preset", description = "x264's preset for H.264 output (default: ${DEFAULT-VALUE})")
    String preset = EncoderSettings.DEFAULT_PRESET;

    @Option(names = "--crf", description = "x264's constant rate factor, 0-51, for jobs that name no bitrate " +
        "(default: ${DEFAULT-VALUE})")
    int crf = EncoderSettings.DEFAULT_CRF;

    @Option(names = "--worker-rate", description = "Most frames per second sent to one worker; 0 for no limit (default: ${DEFAULT-VALUE})")
    double workerRate = 64;

    @Option(names = "--thumbnails", description = "JPEG thumbnails per job, evenly spaced (default: ${DEFAULT-VALUE})")
    int thumbnails = 5;

    @Option(names = "--default-processing",
        description = "Processing when a client names none: blur, edges, faces or motion (default: ${DEFAULT-VALUE})")
    String defaultProcessing = "blur";

    @Option(names = "--aeron-dir", description = "Aeron directory, shared with workers on this host (default: ${DEFAULT-VALUE})")
    String aeronDir = TransportConfig.aeronDir();

    @Option(names = "--worker-endpoint", paramLabel = "HOST[:PORT]",
        description = "Take workers from other hosts over UDP on this address of this host (port default: " +
            TransportConfig.DEFAULT_WORKER_PORT + "); workers join it with --server")
    String workerEndpoint;

    @Option(names = "--paced",
        description = "Decode each job no faster than its video plays, as a live source would (for measuring latency at a steady load)")
    boolean paced;

    @Option(names = "--external-driver", description = "Use a media driver already running in --aeron-dir instead of embedding one")
    boolean externalDriver;

    @Option(names = "--data-dir", description = "Where uploads and outputs live while a job runs (default: ${DEFAULT-VALUE})")
    Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "framewire");

    @Option(names = "--window", description = "Frames of one job in flight at once (default: ${DEFAULT-VALUE})")
    int window = 16;

    @Option(names = "--max-jobs", description = "Jobs processed at once; more are refused as busy (default: ${DEFAULT-VALUE})")
    int maxJobs = 8;

    @Option(names = "--max-upload-mb", description = "Largest upload accepted, in MiB (default: ${DEFAULT-VALUE})")
    long maxUploadMb = 4096;

    @Option(names = "--max-handshake-kb",
        description = "Largest handshake accepted, in KiB; a handshake is a few hundred bytes (default: ${DEFAULT-VALUE})")
    int maxHandshakeKb = 64;

    @Option(names = "--read-timeout-ms", description = "Drop a client silent this long (default: ${DEFAULT-VALUE})")
    int readTimeoutMs = 30_000;

    @Option(names = "--frame-timeout-ms", description = "Send a frame to another worker after this long (default: ${DEFAULT-VALUE})")
    long frameTimeoutMs = 30_000;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        if (window < 2 || maxJobs < 1 || maxUploadMb < 1 || maxHandshakeKb < 1 || readTimeoutMs < 1 ||
            frameTimeoutMs < 1)
        {
            System.err.println("framewire server: --window must be at least 2, other limits at least 1");
            return 2;
        }
        try
        {
            ProcessingTypes.pipeline(defaultProcessing, java.util.Map.of());
        }
        catch (final FilterSpecException ex)
        {
            System.err.println("framewire server: --default-processing: " + ex.getMessage());
            return 2;
        }
        final String codecProblem = io.framewire.server.media.OutputFormat.check(codec, "mp4", 0);
        if (codecProblem != null)
        {
            System.err.println("framewire server: --codec: " + codecProblem);
            return 2;
        }
        final InetAddress bindAddress;
        try
        {
            bindAddress = InetAddress.getByName(bind);
        }
        catch (final java.net.UnknownHostException ex)
        {
            System.err.println("framewire server: --bind " + bind + ": no such address");
            return 2;
        }
        if (!bindAddress.isLoopbackAddress() && !noAuth)
        {
            System.err.println("framewire server: --bind " + bind + " listens beyond loopback, and clients do not " +
                "authenticate yet: add --no-auth to accept anyone who reaches it (a trusted network only)");
            return 2;
        }
        final String encoderProblem = EncoderSettings.check(preset, crf);
        if (encoderProblem != null)
        {
            System.err.println("framewire server: " + encoderProblem);
            return 2;
        }
        String udpEndpoint = null;
        if (workerEndpoint != null)
        {
            try
            {
                udpEndpoint = TransportConfig.parseEndpoint(workerEndpoint, TransportConfig.DEFAULT_WORKER_PORT);
                final String host = udpEndpoint.substring(0, udpEndpoint.lastIndexOf(':')).replace("[", "")
                    .replace("]", "");
                if (!InetAddress.getByName(host).isLoopbackAddress() && !noAuth)
                {
                    System.err.println("framewire server: --worker-endpoint " + workerEndpoint + " takes workers " +
                        "beyond loopback, and workers do not authenticate yet: add --no-auth to let any host that " +
                        "reaches it join and receive frames (a private worker network only)");
                    return 2;
                }
            }
            catch (final IllegalArgumentException | java.net.UnknownHostException ex)
            {
                System.err.println("framewire server: --worker-endpoint: " + ex.getMessage());
                return 2;
            }
        }
        final ServerConfig config = new ServerConfig(bindAddress, port, aeronDir, !externalDriver,
            dataDir, window, maxJobs, maxUploadMb * 1024 * 1024, maxHandshakeKb * 1024, readTimeoutMs, frameTimeoutMs,
            defaultProcessing, previewPort, codec, thumbnails, workerRate, udpEndpoint, paced,
            new EncoderSettings(preset, crf, paced));
        final CountDownLatch stopped = new CountDownLatch(1);
        final FramewireServer server;
        try
        {
            server = FramewireServer.start(config);
        }
        catch (final Exception ex)
        {
            System.err.println("framewire server: cannot start: " + ex.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "server-shutdown"));
        final java.util.List<String> listening = server.boundAddresses().stream()
            .map(address -> address.getAddress().getHostAddress()).toList();
        org.slf4j.LoggerFactory.getLogger(ServerMain.class).info("listening on {} port {}{}", listening, server.port(),
            bindAddress.isLoopbackAddress() ? " (loopback only: clients on this host; --bind ADDRESS --no-auth " +
                "for others)" : " (no authentication: --no-auth)");
        final var event = io.framewire.codec.JsonMessages.MAPPER.createObjectNode()
            .put("event", "listening");
        listening.forEach(event.putArray("bind")::add);
        event.put("port", server.port()).put("preview_port", server.previewPort()).put("aeron_dir", aeronDir);
        if (udpEndpoint != null)
        {
            event.put("worker_endpoint", udpEndpoint);
        }
        System.out.println(event);
        stopped.await();
        return 0;
    }
}
