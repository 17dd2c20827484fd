package io.framewire.worker;

import io.aeron.Aeron;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerSecret;
import io.framewire.worker.filter.FilterChain;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * A worker joined to one media driver: its Aeron client, its endpoint (a fresh worker id and task stream) and the
 * thread running its {@link FrameWorker}. A worker whose driver goes away (the server crashed or restarted) closes
 * its session and opens a new one on the driver that comes back.
 */
final class WorkerSession implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSession.class);

    /** What a session is made of, the same for every one this process opens. */
    record Settings(String aeronDir, String serverEndpoint, InetAddress listenHost, FrameEncoding encoding,
        int credits, int[] failFrames, FilterChain.Factory chains, WorkerSecret secret)
    {
    }

    private final Aeron aeron;
    private final WorkerEndpoint endpoint;
    private final AgentRunner runner;

    private WorkerSession(final Aeron aeron, final WorkerEndpoint endpoint, final AgentRunner runner)
    {
        this.aeron = aeron;
        this.endpoint = endpoint;
        this.runner = runner;
    }

    /**
     * @param onError        the Aeron client's errors, from its conductor thread.
     * @param onConnected    told once the server has opened this session's task stream.
     * @throws RuntimeException when there is no driver, or the streams cannot be opened.
     */
    static WorkerSession open(final Settings settings, final Consumer<Throwable> onError,
        final Consumer<WorkerEndpoint> onConnected)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(settings.aeronDir())
            .driverTimeoutMs(TransportConfig.WORKER_DRIVER_TIMEOUT_MS)
            .errorHandler(onError::accept));
        try
        {
            final WorkerEndpoint endpoint = settings.serverEndpoint() == null &&
                settings.encoding() == FrameEncoding.BGR24 ? new WorkerEndpoint(aeron) :
                new WorkerEndpoint(aeron, settings.listenHost(), settings.serverEndpoint(), settings.encoding())
                    .secret(settings.secret());
            final FrameWorker worker = new FrameWorker(endpoint, settings.credits(),
                () -> onConnected.accept(endpoint), settings.failFrames(), settings.chains(),
                SystemNanoClock.INSTANCE);
            final AgentRunner runner = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                error -> LOG.error("worker error", error), null, worker);
            AgentRunner.startOnThread(runner);
            return new WorkerSession(aeron, endpoint, runner);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
    }

    WorkerEndpoint endpoint()
    {
        return endpoint;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(runner, endpoint, aeron);
    }
}
