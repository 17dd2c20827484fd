package io.framewire.server;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.framewire.server.dispatch.FrameDispatcher;
import io.framewire.server.dispatch.JobTable;
import io.framewire.server.dispatch.ResultCollector;
import io.framewire.server.run.JobRunner;
import io.framewire.server.run.JobWarmUp;
import io.framewire.server.metrics.JobHistory;
import io.framewire.server.metrics.ServerMetrics;
import io.framewire.server.preview.PreviewServer;
import io.framewire.server.net.ClientSession;
import io.framewire.server.access.Secrets;
import io.framewire.server.access.TokenFile;
import io.framewire.server.net.JobRecord;
import io.framewire.server.net.KeptJobs;
import io.framewire.server.net.ServerTls;
import io.framewire.server.net.SessionSettings;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerRegistry;
import io.framewire.transport.WorkerSecret;
import io.framewire.worker.FrameWorker;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.CompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A running server: media driver, the dispatch thread (dispatcher and result collector), an embedded worker
 * for when no external worker is attached, the TCP listener with a virtual thread per client, and the preview
 * web server with the live metrics.
 */
public final class FramewireServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FramewireServer.class);

    private final ServerContext config;
    private final SessionSettings sessionSettings;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final WorkerRegistry registry;
    private final AgentRunner dispatchRunner;
    private final WorkerEndpoint embeddedEndpoint;
    private final AgentRunner embeddedWorkerRunner;
    /** One socket, or two for loopback: ::1 and 127.0.0.1, so clients of either family reach it. */
    private final List<ServerSocket> serverSockets;
    private final ExecutorService sessions = Executors.newVirtualThreadPerTaskExecutor();
    /** Media work off the frame path: thumbnail encoding. */
    private final ExecutorService mediaIo = Executors.newFixedThreadPool(1,
        runnable -> Thread.ofPlatform().daemon().name("media-io").unstarted(runnable));
    /** Drops kept outputs and abandoned uploads when their time is up. */
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
        runnable -> Thread.ofPlatform().daemon().name("housekeeping").unstarted(runnable));
    private final List<Thread> acceptors = new ArrayList<>();
    private final JobRunner jobRunner;
    private final Semaphore jobPermits;
    private final JobHistory history;
    private final KeptJobs keptJobs;
    private final ServerMetrics metrics;
    private final PreviewServer preview;

    private FramewireServer(final ServerContext config) throws IOException
    {
        this.config = config;
        sessionSettings = new SessionSettings(config.dataDir(), config.readTimeoutMs(), config.maxHandshakeBytes(),
            config.maxUploadBytes(), config.maxJobs(), config.defaultProcessing(), config.codec(), config.encoder(),
            config.authTokens() == null ? null : TokenFile.load(config.authTokens()));
        final WorkerSecret workerSecret = config.workerSecret() == null ? null :
            WorkerSecret.load(config.workerSecret());
        final ServerTls tls = config.tlsKeystore() == null ? null :
            ServerTls.load(config.tlsKeystore(), config.tlsPasswordFile());
        createPrivateDirectory(config.dataDir());
        final List<JobRecord> recovered = JobRecord.recoverable(config.dataDir());
        removeStaleJobFiles(config.dataDir(), recovered);
        // Bind first: a port in use fails before anything else has started.
        MediaDriver startedDriver = null;
        Aeron startedAeron = null;
        final List<ServerSocket> bound = new ArrayList<>();
        try
        {
            int port = config.port();
            for (final InetAddress address : bindAddresses(config.bind()))
            {
                final ServerSocket socket = tls == null ? new ServerSocket() : tls.newServerSocket();
                socket.setReuseAddress(true);
                bound.add(socket);
                socket.bind(new InetSocketAddress(address, port), 128);
                port = socket.getLocalPort(); // the second loopback takes the port the first got
            }
            startedDriver = config.embeddedDriver() ?
                EmbeddedMediaDriver.launch(config.aeronDir(), config.workerEndpoint() != null) : null;
            startedAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDir()));
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(startedAeron, startedDriver);
            CloseHelper.quietCloseAll(bound);
            throw ex;
        }
        serverSockets = List.copyOf(bound);
        driver = startedDriver;
        aeron = startedAeron;

        final JobTable jobs = new JobTable();
        // One clock reading per duty cycle, shared by the agents of the dispatch thread.
        final CachedNanoClock dispatchClock = new CachedNanoClock();
        registry = new WorkerRegistry(aeron, config.workerRateLimit(), dispatchClock);
        final Subscription results =
            aeron.addSubscription(TransportConfig.IPC_CHANNEL, TransportConfig.RESULTS_STREAM_ID);
        final FrameDispatcher dispatcher =
            new FrameDispatcher(jobs, registry, TimeUnit.MILLISECONDS.toNanos(config.frameTimeoutMs()),
                config.clock(), dispatchClock);
        if (config.workerEndpoint() == null)
        {
            dispatchRunner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                error -> LOG.error("dispatch thread error", error), null,
                new CompositeAgent(dispatcher, new ResultCollector(results, jobs, registry, dispatchClock)));
        }
        else
        {
            // Workers on other hosts send to this UDP endpoint; local ones keep using IPC.
            final Subscription remoteResults = aeron.addSubscription(
                TransportConfig.udpChannel(config.workerEndpoint()), TransportConfig.RESULTS_STREAM_ID);
            LOG.info("taking workers from other hosts on udp {}", config.workerEndpoint());
            dispatchRunner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                error -> LOG.error("dispatch thread error", error), null,
                new CompositeAgent(dispatcher, new ResultCollector(results, jobs, registry, dispatchClock),
                    new ResultCollector(remoteResults, jobs, registry, dispatchClock, workerSecret)));
        }
        AgentRunner.startOnThread(dispatchRunner);

        embeddedEndpoint = new WorkerEndpoint(aeron);
        // Idle most of the time (external workers are preferred): the polling strategy parks it long once quiet.
        embeddedWorkerRunner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
            error -> LOG.error("embedded worker error", error),
            null, new FrameWorker(embeddedEndpoint, 4, () -> { }));
        AgentRunner.startOnThread(embeddedWorkerRunner);

        history = new JobHistory(config.dataDir());
        keptJobs = new KeptJobs(config.dataDir(), TimeUnit.SECONDS.toMillis(config.keepResultsS()),
            TimeUnit.SECONDS.toMillis(config.abandonedAfterS()), SystemEpochClock.INSTANCE);
        housekeeping.scheduleWithFixedDelay(keptJobs::sweep, 1, 1, TimeUnit.SECONDS);
        metrics = new ServerMetrics(history, registry::statuses, config.dataDir(), config.clock());
        PreviewServer startedPreview = null;
        if (config.previewPort() >= 0)
        {
            try
            {
                startedPreview = new PreviewServer(bindAddresses(config.previewBind()), config.previewPort(), history,
                    metrics, config.metricsTokens() == null ? null : TokenFile.load(config.metricsTokens()));
            }
            catch (final IOException ex)
            {
                CloseHelper.quietCloseAll(metrics, embeddedWorkerRunner, embeddedEndpoint, dispatchRunner, registry,
                    aeron, driver);
                CloseHelper.quietCloseAll(serverSockets);
                throw new IOException("cannot start the preview server on port " + config.previewPort() + ": " +
                    ex.getMessage(), ex);
            }
        }
        preview = startedPreview;
        jobRunner = new JobRunner(jobs, history, config.dataDir(), config.window(), config.thumbnails(), mediaIo,
            config.paced());
        jobPermits = new Semaphore(config.maxJobs());
        JobWarmUp.run(config.dataDir(), config.codec());
        int carriedOn = 0;
        for (final JobRecord record : recovered)
        {
            if (record.uploaded())
            {
                sessions.execute(ClientSession.recovered(record, sessionSettings, jobRunner, jobPermits, history,
                    keptJobs));
                carriedOn++;
            }
            else
            {
                keptJobs.awaitUpload(record);
            }
        }
        if (!recovered.isEmpty())
        {
            LOG.info("carrying on {} jobs the server before did not finish; {} wait for the rest of their uploads",
                carriedOn, recovered.size() - carriedOn);
        }
        for (final ServerSocket socket : serverSockets)
        {
            acceptors.add(Thread.ofPlatform().name("tcp-acceptor").start(() -> acceptLoop(socket)));
        }
    }

    /**
     * The data directory holds every user's uploads and outputs: a new one is made readable by this user only; an
     * existing one is left as it is (it may be shared on purpose), with a warning if others can read it.
     */
    private static void createPrivateDirectory(final Path dir) throws IOException
    {
        final Set<PosixFilePermission> owner =
            PosixFilePermissions.fromString("rwx------");
        if (!Files.isDirectory(dir))
        {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(owner));
            Files.setPosixFilePermissions(dir, owner); // the umask may have taken some away: exactly 0700
            return;
        }
        if (!owner.containsAll(Files.getPosixFilePermissions(dir)))
        {
            LOG.warn("the data directory {} can be read by other users, and holds the jobs' videos: chmod 700 it",
                dir);
        }
    }

    /**
     * What a server that did not stop cleanly left, but the records and uploads of the jobs carried on, and the
     * outputs of those whose upload was complete (they go on from them).
     */
    private static void removeStaleJobFiles(final Path dataDir, final List<JobRecord> carriedOn) throws IOException
    {
        final Set<Path> kept = new HashSet<>();
        for (final JobRecord record : carriedOn)
        {
            kept.add(JobRecord.file(dataDir, record.jobId()));
            kept.add(JobRecord.upload(dataDir, record.jobId()));
            if (record.uploaded())
            {
                kept.add(JobRecord.output(dataDir, record.jobId()));
            }
        }
        final List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, "{job-*,warm-up.mp4}"))
        {
            files.forEach(file ->
            {
                if (!kept.contains(file))
                {
                    stale.add(file);
                }
            });
        }
        final Path preview = dataDir.resolve("preview");
        if (Files.isDirectory(preview))
        {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(preview, "job-*"))
            {
                files.forEach(stale::add);
            }
        }
        for (final Path file : stale)
        {
            IoUtil.delete(file.toFile(), false);
        }
        if (!stale.isEmpty())
        {
            LOG.warn("removed {} files of jobs a previous server left in {} (it did not stop cleanly)", stale.size(),
                dataDir);
        }
    }

    /**
     * Start a server; on failure nothing it started is left running.
     *
     * @throws IllegalArgumentException when a setting is wrong ({@link ServerContext#conclude()}).
     */
    public static FramewireServer start(final ServerContext context) throws IOException
    {
        return new FramewireServer(context.conclude());
    }

    /**
     * Where to listen: the address, or for a loopback address both loopbacks (::1 and 127.0.0.1), since a client's
     * "localhost" may be either.
     */
    static List<InetAddress> bindAddresses(final InetAddress bind) throws UnknownHostException
    {
        if (!bind.isLoopbackAddress())
        {
            return List.of(bind);
        }
        return List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1"));
    }

    private void acceptLoop(final ServerSocket serverSocket)
    {
        while (!serverSocket.isClosed())
        {
            try
            {
                final Socket socket = serverSocket.accept();
                sessions.execute(new ClientSession(socket, sessionSettings, jobRunner, jobPermits, history, keptJobs,
                    Math.max(0, previewPort()), Secrets.randomId()));
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
        return serverSockets.get(0).getLocalPort();
    }

    /** The addresses the client port listens on. */
    public List<InetSocketAddress> boundAddresses()
    {
        return serverSockets.stream().map(socket -> (InetSocketAddress)socket.getLocalSocketAddress()).toList();
    }

    /** The Aeron directory local workers join. */
    public String aeronDir()
    {
        return config.aeronDir();
    }

    /** Port of the preview web server, or -1 when it does not run. */
    public int previewPort()
    {
        return preview == null ? -1 : preview.port();
    }

    /**
     * Stops taking clients and lets the jobs that run finish, for up to {@code timeout}; {@link #close()} then stops
     * whatever is left.
     *
     * @return whether every job finished in time.
     */
    public boolean drain(final Duration timeout) throws InterruptedException
    {
        stopAccepting();
        sessions.shutdown();
        return sessions.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void stopAccepting()
    {
        CloseHelper.quietCloseAll(serverSockets);
        try
        {
            for (final Thread acceptor : acceptors)
            {
                acceptor.join(5_000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        stopAccepting();
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
        housekeeping.shutdownNow();
        CloseHelper.closeAll(preview, metrics, embeddedWorkerRunner, embeddedEndpoint, dispatchRunner, registry, aeron,
            driver, history);
        LOG.info("server stopped");
    }
}
