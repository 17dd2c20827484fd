package io.framewire.worker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import io.aeron.driver.MediaDriver;
import io.framewire.codec.JsonMessages;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.FrameCompression;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerSecret;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.agrona.CloseHelper;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code framewire worker}: a worker process that joins the server's media driver on this host (IPC), or, with
 * {@code --server}, a server on another host over UDP through a media driver of its own.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run a frame worker. By default it joins the server on this host over Aeron IPC;",
        "with --server it joins a server on another host over UDP (the server runs with --worker-endpoint)."})
public final class WorkerMain implements Callable<Integer>
{
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private final AtomicReference<WorkerSession> session = new AtomicReference<>();
    private final ExecutorService rejoins = Executors.newSingleThreadExecutor(
        runnable -> Thread.ofPlatform().daemon().name("worker-rejoin").unstarted(runnable));
    private volatile boolean stopping;
    private final AtomicBoolean rejoining = new AtomicBoolean();
    private WorkerSession.Settings settings;

    @Spec
    CommandSpec spec;

    @Option(names = "--aeron-dir", description =
        "Aeron directory of the server's media driver (default: ${DEFAULT-VALUE})")
    String aeronDir = TransportConfig.aeronDir();

    @Option(names = "--server", paramLabel = "HOST[:PORT]",
        description = "Join the server whose --worker-endpoint is this, over UDP (port default: " +
            TransportConfig.DEFAULT_WORKER_PORT + ")")
    String server;

    @Option(names = "--worker-secret-file", paramLabel = "FILE",
        description = "The secret the server's --worker-secret-file holds, proved in every heartbeat (with --server)")
    Path workerSecret;

    @Option(names = "--listen", paramLabel = "HOST",
        description =
            "With --server: this host's address the server sends tasks to (default: the one on the route to the " +
                "server)")
    String listen;

    @Option(names = "--frame-encoding", paramLabel = "raw|lz4",
        description =
            "How frames cross the link to and from the server: raw pixels, or LZ4-compressed (lossless; for links " +
                "slower than the filters) (default: ${DEFAULT-VALUE})")
    String frameEncoding = "raw";

    @Option(names = "--credits", description = "Most frame tasks held at once (default: ${DEFAULT-VALUE})")
    int credits = 4;

    @Option(names = "--fail-frames", split = ",", paramLabel = "N",
        description = "Fault injection: report these frame numbers as failed (for tests and drills)")
    int[] failFrames = new int[0];

    private final FilterChain.Factory chains;

    public WorkerMain()
    {
        this(Pipeline::build);
    }

    /** @param chains makes the chain that runs a job's pipeline; the GPU worker passes its CUDA chains. */
    public WorkerMain(final FilterChain.Factory chains)
    {
        this.chains = chains;
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new WorkerMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException
    {
        if (credits < 1)
        {
            System.err.println("framewire worker: --credits must be at least 1");
            return 2;
        }
        final FrameEncoding encoding;
        try
        {
            encoding = FrameCompression.parse(frameEncoding);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("framewire worker: --frame-encoding: " + ex.getMessage());
            return 2;
        }
        String serverEndpoint = null;
        InetAddress listenHost = null;
        MediaDriver driver = null;
        if (server != null)
        {
            try
            {
                serverEndpoint = TransportConfig.parseEndpoint(server, TransportConfig.DEFAULT_WORKER_PORT);
                listenHost = listen != null ? InetAddress.getByName(listen) : routeTo(serverEndpoint);
            }
            catch (final IllegalArgumentException | IOException ex)
            {
                System.err.println("framewire worker: --server/--listen: " + ex.getMessage());
                return 2;
            }
            if (!aeronDirGiven())
            {
                aeronDir = TransportConfig.aeronDir() + "-worker-" + ProcessHandle.current().pid();
            }
            // UDP data passes through the driver, so this host needs its own.
            driver = EmbeddedMediaDriver.launch(aeronDir, true);
        }
        WorkerSecret secret = null;
        if (workerSecret != null)
        {
            try
            {
                secret = WorkerSecret.load(workerSecret);
            }
            catch (final IOException ex)
            {
                System.err.println("framewire worker: --worker-secret-file: " + ex.getMessage());
                CloseHelper.close(driver);
                return 2;
            }
        }
        final WorkerSession.Settings settings = new WorkerSession.Settings(aeronDir, serverEndpoint, listenHost,
            encoding, credits, failFrames, chains, secret);
        // SIGINT or SIGTERM ends await(); the JVM's shutdown waits for the barrier's close, after the worker's
        // (which deletes an own driver's files). A lost driver does not stop the worker: it joins the next one.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            final WorkerSession first;
            try
            {
                first = WorkerSession.open(settings, this::onAeronError, WorkerMain::connected);
            }
            catch (final RuntimeException ex)
            {
                System.err.println("framewire worker: no media driver at " + aeronDir +
                    " (start the server first, or pass --aeron-dir): " + ex.getMessage());
                CloseHelper.close(driver);
                return 3;
            }
            this.settings = settings;
            session.set(first);
            final ObjectNode started = event("worker_started", first.endpoint())
                .put("pid", ProcessHandle.current().pid());
            if (serverEndpoint != null)
            {
                started.put("server", serverEndpoint).put("task_endpoint", first.endpoint().taskEndpoint());
            }
            System.out.println(started);
            barrier.await();
            stopping = true;
            rejoins.shutdownNow();
            CloseHelper.closeAll(session.getAndSet(null), driver);
        }
        return 0;
    }

    private static void connected(final WorkerEndpoint endpoint)
    {
        System.out.println(event("worker_connected", endpoint));
    }

    /** The Aeron client's conductor thread: a lost driver is rejoined from another thread. */
    private void onAeronError(final Throwable error)
    {
        if (error instanceof DriverTimeoutException || error instanceof ConductorServiceTimeoutException)
        {
            LOG.warn("lost the media driver at {} ({}); joining it again when it is back", aeronDir,
                error.getMessage());
            if (rejoining.compareAndSet(false, true)) // a lost client may report more than one error
            {
                rejoins.execute(this::rejoin);
            }
        }
        else
        {
            LOG.error("aeron client error", error);
        }
    }

    /** Joins the driver again, trying with a growing wait until it is back or the worker stops. */
    private void rejoin()
    {
        CloseHelper.quietClose(session.getAndSet(null));
        final RejoinBackoff backoff = new RejoinBackoff();
        while (!stopping)
        {
            try
            {
                final WorkerSession next = WorkerSession.open(settings, this::onAeronError, WorkerMain::connected);
                session.set(next);
                rejoining.set(false);
                System.out.println(event("worker_rejoined", next.endpoint()));
                return;
            }
            catch (final RuntimeException ex)
            {
                final long delayMs = backoff.nextDelayMs();
                LOG.info("no media driver at {} yet; next try in {} ms", aeronDir, delayMs);
                try
                {
                    Thread.sleep(delayMs);
                }
                catch (final InterruptedException stop)
                {
                    return;
                }
            }
        }
    }

    private static ObjectNode event(final String name, final WorkerEndpoint endpoint)
    {
        return JsonMessages.MAPPER.createObjectNode().put("event", name).put("worker_id", endpoint.workerId());
    }

    private boolean aeronDirGiven()
    {
        return spec.commandLine().getParseResult().hasMatchedOption("--aeron-dir");
    }

    /** The address of this host that packets to {@code endpoint} leave from: the one the server can reach. */
    private static InetAddress routeTo(final String endpoint) throws IOException
    {
        final int colon = endpoint.lastIndexOf(':');
        String host = endpoint.substring(0, colon);
        if (host.startsWith("["))
        {
            host = host.substring(1, host.length() - 1);
        }
        try (DatagramSocket socket = new DatagramSocket(null))
        {
            socket.connect(new InetSocketAddress(InetAddress.getByName(host),
                Integer.parseInt(endpoint.substring(colon + 1))));
            return socket.getLocalAddress();
        }
    }
}
