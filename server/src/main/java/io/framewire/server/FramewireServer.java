package io.framewire.server;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.framewire.server.dispatch.FrameDispatcher;
import io.framewire.server.dispatch.JobTable;
import io.framewire.server.dispatch.ResultCollector;
import io.framewire.server.job.JobRunner;
import io.framewire.server.job.JobWarmUp;
import io.framewire.server.metrics.JobHistory;
import io.framewire.server.metrics.ServerMetrics;
import io.framewire.server.preview.PreviewServer;
import io.framewire.server.net.ClientSession;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerRegistry;
import io.framewire.worker.FrameWorker;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running server: media driver, the dispatch thread (dispatcher and result collector), an embedded worker
 * for when no external worker is attached, the TCP listener with a virtual thread per client, and the preview
 * web server with the live metrics.
 */
public final class FramewireServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FramewireServer.class);

    private final ServerConfig config;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final WorkerRegistry registry;
    private final AgentRunner dispatchRunner;
    private final WorkerEndpoint embeddedEndpoint;
    private final AgentRunner embeddedWorkerRunner;
    private final ServerSocket serverSocket;
    private final ExecutorService sessions = Executors.newVirtualThreadPerTaskExecutor();
    /** Media work off the frame path: thumbnail encoding. */
    private final ExecutorService mediaIo = Executors.newFixedThreadPool(1,
        runnable -> Thread.ofPlatform().daemon().name("media-io").unstarted(runnable));
    private final Thread acceptor;
    private final AtomicLong nextJobId = new AtomicLong(1);
    private final JobRunner jobRunner;
    private final Semaphore jobPermits;
    private final JobHistory history;
    private final ServerMetrics metrics;
    private final PreviewServer preview;

    private FramewireServer(final ServerConfig config) throws IOException
    {
        this.config = config;
        Files.createDirectories(config.dataDir());
        // Bind first: a port in use fails before anything else has started.
        serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        MediaDriver startedDriver = null;
        Aeron startedAeron = null;
        try
        {
            serverSocket.bind(new InetSocketAddress(config.bind(), config.port()), 128);
            startedDriver = config.embeddedDriver() ?
                EmbeddedMediaDriver.launch(config.aeronDir(), config.workerEndpoint() != null) : null;
            startedAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDir()));
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(startedAeron, startedDriver, serverSocket);
            throw ex;
        }
        driver = startedDriver;
        aeron = startedAeron;

        final JobTable jobs = new JobTable();
        registry = new WorkerRegistry(aeron, config.workerRateLimit());
        final Subscription results =
            aeron.addSubscription(TransportConfig.IPC_CHANNEL, TransportConfig.RESULTS_STREAM_ID);
        final FrameDispatcher dispatcher =
            new FrameDispatcher(jobs, registry, TimeUnit.MILLISECONDS.toNanos(config.frameTimeoutMs()));
        if (config.workerEndpoint() == null)
        {
            dispatchRunner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                error -> LOG.error("dispatch thread error", error), null,
                new CompositeAgent(dispatcher, new ResultCollector(results, jobs, registry)));
        }
        else
        {
            // Workers on other hosts send to this UDP endpoint; local ones keep using IPC.
            final Subscription remoteResults = aeron.addSubscription(
                TransportConfig.udpChannel(config.workerEndpoint()), TransportConfig.RESULTS_STREAM_ID);
            LOG.info("taking workers from other hosts on udp {}", config.workerEndpoint());
            dispatchRunner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                error -> LOG.error("dispatch thread error", error), null,
                new CompositeAgent(dispatcher, new ResultCollector(results, jobs, registry),
                    new ResultCollector(remoteResults, jobs, registry)));
        }
        AgentRunner.startOnThread(dispatchRunner);

        embeddedEndpoint = new WorkerEndpoint(aeron);
        // Idle most of the time (external workers are preferred), so it parks longer than a dedicated worker.
        embeddedWorkerRunner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
            error -> LOG.error("embedded worker error", error),
            null, new FrameWorker(embeddedEndpoint, 4, new BackoffIdleStrategy(), () -> { }));
        AgentRunner.startOnThread(embeddedWorkerRunner);

        history = new JobHistory(config.dataDir());
        metrics = new ServerMetrics(history, registry::statuses);
        PreviewServer startedPreview = null;
        if (config.previewPort() >= 0)
        {
            try
            {
                startedPreview = new PreviewServer(new InetSocketAddress(config.bind(), config.previewPort()), history,
                    metrics);
            }
            catch (final IOException ex)
            {
                CloseHelper.quietCloseAll(metrics, embeddedWorkerRunner, embeddedEndpoint, dispatchRunner, registry,
                    aeron, driver, serverSocket);
                throw new IOException("cannot start the preview server on port " + config.previewPort() + ": " +
                    ex.getMessage(), ex);
            }
        }
        preview = startedPreview;
        jobRunner = new JobRunner(jobs, history, config.dataDir(), config.window(), config.thumbnails(), mediaIo,
            config.paced());
        jobPermits = new Semaphore(config.maxJobs());
        JobWarmUp.run(config.dataDir(), config.codec());
        acceptor = Thread.ofPlatform().name("tcp-acceptor").start(this::acceptLoop);
    }

    /** Start a server; on failure nothing it started is left running. */
    public static FramewireServer start(final ServerConfig config) throws IOException
    {
        return new FramewireServer(config);
    }

    private void acceptLoop()
    {
        while (!serverSocket.isClosed())
        {
            try
            {
                final Socket socket = serverSocket.accept();
                sessions.execute(new ClientSession(socket, config, jobRunner, jobPermits, history,
                    Math.max(0, previewPort()), nextJobId.getAndIncrement()));
            }
            catch (final IOException ex)
            {
                if (!serverSocket.isClosed())
                {
                    LOG.warn("accept failed: {}", ex.getMessage());
                }
            }
        }
    }

    public int port()
    {
        return serverSocket.getLocalPort();
    }

    /** Port of the preview web server, or -1 when it does not run. */
    public int previewPort()
    {
        return preview == null ? -1 : preview.port();
    }


    @Override
    public void close()
    {
        CloseHelper.quietClose(serverSocket);
        try
        {
            acceptor.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        sessions.shutdownNow();
        try
        {
            sessions.awaitTermination(15, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        mediaIo.shutdownNow();
        CloseHelper.closeAll(preview, metrics, embeddedWorkerRunner, embeddedEndpoint, dispatchRunner, registry, aeron,
            driver, history);
        LOG.info("server stopped");
    }
}
