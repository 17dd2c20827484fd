package io.framewire.server;

import io.framewire.server.media.EncoderSettings;
import io.framewire.server.media.OutputFormat;
import io.framewire.transport.TransportConfig;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.ProcessingTypes;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of a server instance, as a fluent context with defaults (Aeron's {@code Context} style): set what
 * differs, then {@link FramewireServer#start} checks it with {@link #conclude()}. The defaults here are the
 * command line's too.
 */
public final class ServerContext
{
    public static final String DEFAULT_BIND = "::1";
    public static final int DEFAULT_PORT = 9090;
    public static final int DEFAULT_PREVIEW_PORT = 8080;
    public static final int DEFAULT_WINDOW = 16;
    public static final int DEFAULT_MAX_JOBS = 8;
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 4096L * 1024 * 1024;
    public static final int DEFAULT_MAX_HANDSHAKE_BYTES = 64 * 1024;
    public static final int DEFAULT_READ_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_KEEP_RESULTS_S = 600;
    public static final int DEFAULT_ABANDONED_AFTER_S = 3600;
    public static final long DEFAULT_FRAME_TIMEOUT_MS = 30_000;
    public static final String DEFAULT_PROCESSING = "blur";
    public static final String DEFAULT_CODEC = "h264";
    public static final int DEFAULT_THUMBNAILS = 5;
    public static final double DEFAULT_WORKER_RATE_LIMIT = 64;

    private InetAddress bind;
    private InetAddress previewBind;
    private int port = DEFAULT_PORT;
    private String aeronDir = TransportConfig.aeronDir();
    private boolean embeddedDriver = true;
    private Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "framewire");
    private int window = DEFAULT_WINDOW;
    private int maxJobs = DEFAULT_MAX_JOBS;
    private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
    private int maxHandshakeBytes = DEFAULT_MAX_HANDSHAKE_BYTES;
    private int readTimeoutMs = DEFAULT_READ_TIMEOUT_MS;
    private int keepResultsS = DEFAULT_KEEP_RESULTS_S;
    private int abandonedAfterS = DEFAULT_ABANDONED_AFTER_S;
    private long frameTimeoutMs = DEFAULT_FRAME_TIMEOUT_MS;
    private String defaultProcessing = DEFAULT_PROCESSING;
    private int previewPort = DEFAULT_PREVIEW_PORT;
    private String codec = DEFAULT_CODEC;
    private int thumbnails = DEFAULT_THUMBNAILS;
    private double workerRateLimit = DEFAULT_WORKER_RATE_LIMIT;
    private String workerEndpoint;
    private boolean paced;
    private EncoderSettings encoder = EncoderSettings.DEFAULT;
    private NanoClock clock = SystemNanoClock.INSTANCE;
    private Path authTokens;
    private Path metricsTokens;
    private Path workerSecret;
    private Path tlsKeystore;
    private Path tlsPasswordFile;

    /**
     * Checks the settings and fills in what follows from them.
     *
     * @throws IllegalArgumentException naming the setting that is wrong.
     */
    public ServerContext conclude()
    {
        if (bind == null)
        {
            bind = loopback();
        }
        if (previewBind == null)
        {
            previewBind = loopback(); // the preview shows every job: it goes beyond this host only when told
        }
        if ((tlsKeystore == null) != (tlsPasswordFile == null))
        {
            throw new IllegalArgumentException("TLS needs both a keystore and its password file");
        }
        if (window < 2)
        {
            throw new IllegalArgumentException("window must be at least 2: " + window);
        }
        if (keepResultsS < 0)
        {
            throw new IllegalArgumentException("keep-results must not be negative: " + keepResultsS);
        }
        if (abandonedAfterS < 0)
        {
            throw new IllegalArgumentException("abandoned-after must not be negative: " + abandonedAfterS);
        }
        if (maxJobs < 1 || maxUploadBytes < 1 || maxHandshakeBytes < 1 || readTimeoutMs < 1 || frameTimeoutMs < 1)
        {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        try
        {
            ProcessingTypes.pipeline(defaultProcessing, Map.of());
        }
        catch (final FilterSpecException ex)
        {
            throw new IllegalArgumentException("default processing: " + ex.getMessage(), ex);
        }
        final String codecProblem = OutputFormat.check(codec, "mp4", 0);
        if (codecProblem != null)
        {
            throw new IllegalArgumentException("codec: " + codecProblem);
        }
        final String encoderProblem = EncoderSettings.check(encoder.preset(), encoder.crf());
        if (encoderProblem != null)
        {
            throw new IllegalArgumentException(encoderProblem);
        }
        if (paced && !encoder.zeroLatency())
        {
            encoder = new EncoderSettings(encoder.preset(), encoder.crf(), true); // a live source waits for nothing
        }
        return this;
    }

    private static InetAddress loopback()
    {
        try
        {
            return InetAddress.getByName(DEFAULT_BIND);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Address of the preview web server; loopback (both ::1 and 127.0.0.1) unless set. */
    public ServerContext previewBind(final InetAddress previewBind)
    {
        this.previewBind = previewBind;
        return this;
    }

    public InetAddress previewBind()
    {
        return previewBind;
    }

    /** Address to listen on for clients; a loopback one means both ::1 and 127.0.0.1. */
    public ServerContext bind(final InetAddress bind)
    {
        this.bind = bind;
        return this;
    }

    public InetAddress bind()
    {
        return bind;
    }

    /** TCP port for clients; 0 picks a free one. */
    public ServerContext port(final int port)
    {
        this.port = port;
        return this;
    }

    public int port()
    {
        return port;
    }

    /** Aeron directory, shared with local workers. */
    public ServerContext aeronDir(final String aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public String aeronDir()
    {
        return aeronDir;
    }

    /** Launch the media driver in this process (otherwise use a running one). */
    public ServerContext embeddedDriver(final boolean embeddedDriver)
    {
        this.embeddedDriver = embeddedDriver;
        return this;
    }

    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    /** Where uploads and outputs live while a job runs. */
    public ServerContext dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /** Frames of one job in flight at once. */
    public ServerContext window(final int window)
    {
        this.window = window;
        return this;
    }

    public int window()
    {
        return window;
    }

    /** Jobs processed at once; more are refused with {@code busy}. */
    public ServerContext maxJobs(final int maxJobs)
    {
        this.maxJobs = maxJobs;
        return this;
    }

    public int maxJobs()
    {
        return maxJobs;
    }

    /** Largest upload accepted. */
    public ServerContext maxUploadBytes(final long maxUploadBytes)
    {
        this.maxUploadBytes = maxUploadBytes;
        return this;
    }

    public long maxUploadBytes()
    {
        return maxUploadBytes;
    }

    /** Largest handshake message accepted. */
    public ServerContext maxHandshakeBytes(final int maxHandshakeBytes)
    {
        this.maxHandshakeBytes = maxHandshakeBytes;
        return this;
    }

    public int maxHandshakeBytes()
    {
        return maxHandshakeBytes;
    }

    /** A client silent this long is dropped. */
    /** How long a finished job's output and result wait for a client to resume it. */
    public ServerContext keepResultsS(final int keepResultsS)
    {
        this.keepResultsS = keepResultsS;
        return this;
    }

    public int keepResultsS()
    {
        return keepResultsS;
    }

    /** How long a job whose upload broke off waits for its client to send the rest. */
    public ServerContext abandonedAfterS(final int abandonedAfterS)
    {
        this.abandonedAfterS = abandonedAfterS;
        return this;
    }

    public int abandonedAfterS()
    {
        return abandonedAfterS;
    }

    public ServerContext readTimeoutMs(final int readTimeoutMs)
    {
        this.readTimeoutMs = readTimeoutMs;
        return this;
    }

    public int readTimeoutMs()
    {
        return readTimeoutMs;
    }

    /** A frame not back from its worker in this time is sent to another. */
    public ServerContext frameTimeoutMs(final long frameTimeoutMs)
    {
        this.frameTimeoutMs = frameTimeoutMs;
        return this;
    }

    public long frameTimeoutMs()
    {
        return frameTimeoutMs;
    }

    /** Processing used when the handshake names none. */
    public ServerContext defaultProcessing(final String defaultProcessing)
    {
        this.defaultProcessing = defaultProcessing;
        return this;
    }

    public String defaultProcessing()
    {
        return defaultProcessing;
    }

    /** Port of the preview web server on {@link #bind()}; 0 picks a free one, -1 runs none. */
    public ServerContext previewPort(final int previewPort)
    {
        this.previewPort = previewPort;
        return this;
    }

    public int previewPort()
    {
        return previewPort;
    }

    /** Output codec when the handshake names none: {@code h264} or {@code vp9}. */
    public ServerContext codec(final String codec)
    {
        this.codec = codec;
        return this;
    }

    public String codec()
    {
        return codec;
    }

    /** JPEG thumbnails made per job, evenly spaced; 0 for none. */
    public ServerContext thumbnails(final int thumbnails)
    {
        this.thumbnails = thumbnails;
        return this;
    }

    public int thumbnails()
    {
        return thumbnails;
    }

    /** Most frames per second sent to one worker; 0 for no limit. */
    public ServerContext workerRateLimit(final double workerRateLimit)
    {
        this.workerRateLimit = workerRateLimit;
        return this;
    }

    public double workerRateLimit()
    {
        return workerRateLimit;
    }

    /** host:port taking results and heartbeats from workers on other hosts over UDP; null for this host only. */
    public ServerContext workerEndpoint(final String workerEndpoint)
    {
        this.workerEndpoint = workerEndpoint;
        return this;
    }

    public String workerEndpoint()
    {
        return workerEndpoint;
    }

    /** Decode every job no faster than its video plays, as from a live source (benchmarks). */
    public ServerContext paced(final boolean paced)
    {
        this.paced = paced;
        return this;
    }

    public boolean paced()
    {
        return paced;
    }

    /** x264's preset and constant rate factor; a paced server encodes with zero latency. */
    public ServerContext encoder(final EncoderSettings encoder)
    {
        this.encoder = encoder;
        return this;
    }

    public EncoderSettings encoder()
    {
        return encoder;
    }

    /** The file of client tokens ({@code TokenFile}); null for a server open to anyone who reaches it. */
    public ServerContext authTokens(final Path authTokens)
    {
        this.authTokens = authTokens;
        return this;
    }

    public Path authTokens()
    {
        return authTokens;
    }

    /** The file of metrics tokens ({@code TokenFile}): scrapers that may read every job's metrics; null for none. */
    public ServerContext metricsTokens(final Path metricsTokens)
    {
        this.metricsTokens = metricsTokens;
        return this;
    }

    public Path metricsTokens()
    {
        return metricsTokens;
    }

    /** The secret workers joining over UDP must prove ({@code WorkerSecret}); null for none. */
    public ServerContext workerSecret(final Path workerSecret)
    {
        this.workerSecret = workerSecret;
        return this;
    }

    public Path workerSecret()
    {
        return workerSecret;
    }

    /**
     * TLS for the client port: a PKCS#12 keystore with the server's certificate and key, and the file holding its
     * password; null for plain TCP.
     */
    public ServerContext tls(final Path keystore, final Path passwordFile)
    {
        this.tlsKeystore = keystore;
        this.tlsPasswordFile = passwordFile;
        return this;
    }

    public Path tlsKeystore()
    {
        return tlsKeystore;
    }

    public Path tlsPasswordFile()
    {
        return tlsPasswordFile;
    }

    /** The dispatch thread's clock: frame timeouts, retry backoff, worker heartbeats and rate limits. */
    public ServerContext clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public NanoClock clock()
    {
        return clock;
    }
}
