package io.framewire.worker;

import io.aeron.Aeron;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerEndpoint;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code framewire worker}: a worker process that joins the server's media driver on this host. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run a frame worker that joins the server on this host over Aeron IPC.")
public final class WorkerMain implements Callable<Integer>
{
    @Option(names = "--aeron-dir", description = "Aeron directory of the server's media driver (default: ${DEFAULT-VALUE})")
    String aeronDir = TransportConfig.aeronDir();

    @Option(names = "--credits", description = "Most frame tasks held at once (default: ${DEFAULT-VALUE})")
    int credits = 4;

    @Option(names = "--fail-frames", split = ",", paramLabel = "N",
        description = "Fault injection: report these frame numbers as failed (for tests and drills)")
    int[] failFrames = new int[0];

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
        final CountDownLatch stop = new CountDownLatch(1);
        final Aeron aeron;
        try
        {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .driverTimeoutMs(5_000)
                .errorHandler(error ->
                {
                    LoggerFactory.getLogger(WorkerMain.class).error("aeron client failed, worker stops", error);
                    stop.countDown();
                }));
        }
        catch (final RuntimeException ex)
        {
            System.err.println("framewire worker: no media driver at " + aeronDir +
                " (start the server first, or pass --aeron-dir): " + ex.getMessage());
            return 3;
        }
        final WorkerEndpoint endpoint = new WorkerEndpoint(aeron);
        final FrameWorker worker = new FrameWorker(endpoint, credits,
            new BackoffIdleStrategy(), () -> System.out.println(
                "{\"event\":\"worker_connected\",\"worker_id\":" + endpoint.workerId() + "}"), failFrames);
        final AgentRunner runner = new AgentRunner(
            TransportConfig.pollingIdleStrategy(),
            error -> LoggerFactory.getLogger(WorkerMain.class).error("worker error", error),
            null, worker);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "worker-shutdown"));
        AgentRunner.startOnThread(runner);
        System.out.println("{\"event\":\"worker_started\",\"worker_id\":" + endpoint.workerId() + ",\"pid\":" +
            ProcessHandle.current().pid() + "}");

        final SleepingIdleStrategy wait = new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(100));
        while (stop.getCount() > 0 && !aeron.isClosed())
        {
            wait.idle();
        }
        CloseHelper.closeAll(runner, endpoint, aeron);
        return 0;
    }
}
