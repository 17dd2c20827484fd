package io.framewire.worker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.framewire.codec.JsonMessages;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.FrameCompression;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.Pipeline;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.SystemNanoClock;
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
import java.util.concurrent.Callable;

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

    @Spec
    CommandSpec spec;

    @Option(names = "--aeron-dir", description =
        "Aeron directory of the server's media driver (default: ${DEFAULT-VALUE})")
    String aeronDir = TransportConfig.aeronDir();

    @Option(names = "--server", paramLabel = "HOST[:PORT]",
        description = "Join the server whose --worker-endpoint is this, over UDP (port default: " +
            TransportConfig.DEFAULT_WORKER_PORT + ")")
    String server;

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
        // SIGINT, SIGTERM or a lost driver ends await(); the JVM's shutdown waits for the barrier's close, after the
        // worker's (which deletes an own driver's files).
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            final Aeron aeron;
            try
            {
                aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(aeronDir)
                    .driverTimeoutMs(10_000)
                    .errorHandler(error ->
                    {
                        LOG.error("aeron client failed, worker stops", error);
                        barrier.signal();
                    }));
            }
            catch (final RuntimeException ex)
            {
                System.err.println("framewire worker: no media driver at " + aeronDir +
                    " (start the server first, or pass --aeron-dir): " + ex.getMessage());
                CloseHelper.close(driver);
                return 3;
            }
            final WorkerEndpoint endpoint;
            try
            {
                endpoint = serverEndpoint == null && encoding == FrameEncoding.BGR24 ? new WorkerEndpoint(aeron) :
                    new WorkerEndpoint(aeron, listenHost, serverEndpoint, encoding);
            }
            catch (final RuntimeException ex)
            {
                System.err.println("framewire worker: cannot open its streams: " + ex.getMessage());
                CloseHelper.closeAll(aeron, driver);
                return 3;
            }
            final FrameWorker worker = new FrameWorker(endpoint, credits,
                () -> System.out.println(event("worker_connected", endpoint)), failFrames, chains,
                SystemNanoClock.INSTANCE);
            final AgentRunner runner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                error -> LOG.error("worker error", error), null, worker);
            AgentRunner.startOnThread(runner);
            final ObjectNode started = event("worker_started", endpoint).put("pid", ProcessHandle.current().pid());
            if (serverEndpoint != null)
            {
                started.put("server", serverEndpoint).put("task_endpoint", endpoint.taskEndpoint());
            }
            System.out.println(started);
            barrier.await();
            CloseHelper.closeAll(runner, endpoint, aeron, driver);
        }
        return 0;
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
