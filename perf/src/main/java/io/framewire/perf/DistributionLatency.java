package io.framewire.perf;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.framewire.codec.sbe.FrameResultDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.WorkerChannel;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerRegistry;
import io.framewire.worker.FrameWorker;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The per-frame overhead of distribution over Aeron IPC: from a task leaving the dispatcher to its result being
 * read back, minus the worker's own filter time, for frames sent at a steady 30 fps. The worker runs on its own
 * thread in this process; the frames cross the same shared-memory log buffers as between processes.
 * Usage: {@code DistributionLatency [FRAMES]}; prints p50/p95/p99/max in microseconds for 720p and 1080p.
 */
public final class DistributionLatency
{
    private DistributionLatency()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int frames = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        final String dir = TransportConfig.AERON_DIR_DEFAULT + "-bench-" + UUID.randomUUID();
        try (MediaDriver driver = EmbeddedMediaDriver.launch(dir);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            WorkerRegistry registry = new WorkerRegistry(aeron, 0);
            Subscription results = aeron.addSubscription(TransportConfig.IPC_CHANNEL, TransportConfig.RESULTS_STREAM_ID);
            WorkerEndpoint endpoint = new WorkerEndpoint(aeron);
            AgentRunner worker = new AgentRunner(TransportConfig.pollingIdleStrategy(), Throwable::printStackTrace,
                null, new FrameWorker(endpoint, 4, new BackoffIdleStrategy(), () -> { })))
        {
            AgentRunner.startOnThread(worker);
            System.out.println("size       frames  overhead p50 / p95 / p99 / max (us)   filter mean (us)");
            for (final int[] size : new int[][] {{1280, 720}, {1920, 1080}})
            {
                run(registry, results, size[0], size[1], frames);
            }
            CloseHelper.close(worker);
        }
    }

    private static void run(final WorkerRegistry registry, final Subscription results, final int width,
        final int height, final int frames) throws InterruptedException
    {
        final int frameBytes = width * height * 3;
        final byte[] pipeline = "gaussian:ksize=3,sigma=0".getBytes(StandardCharsets.UTF_8);
        final Histogram overhead = new Histogram(10_000_000_000L, 3);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final FrameResultDecoder result = new FrameResultDecoder();
        final WorkerHeartbeatDecoder heartbeat = new WorkerHeartbeatDecoder();
        final long[] received = new long[1];
        final long[] filterNanos = new long[1];
        final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            if (header.templateId() == WorkerHeartbeatDecoder.TEMPLATE_ID)
            {
                registry.onHeartbeat(heartbeat.wrapAndApplyHeader(buffer, offset, header), System.nanoTime());
            }
            else if (header.templateId() == FrameResultDecoder.TEMPLATE_ID)
            {
                result.wrapAndApplyHeader(buffer, offset, header);
                final long now = System.nanoTime();
                registry.get(result.workerId()).onResult();
                overhead.recordValue(Math.max(0, now - result.dispatchNanos() - result.filterNanos()) / 1000);
                filterNanos[0] += result.filterNanos();
                received[0]++;
            }
        });
        try (BytePointer memory = new BytePointer(frameBytes))
        {
            final UnsafeBuffer pixels = new UnsafeBuffer(memory.address(), frameBytes);
            for (int i = 0; i < frameBytes; i++)
            {
                pixels.putByte(i, (byte)(i * 7 + i / 3000));
            }
            final long intervalNs = 1_000_000_000L / 30;
            long nextSendNs = System.nanoTime();
            int sent = 0;
            while (received[0] < frames + 30)
            {
                results.poll(assembler, TransportConfig.FRAGMENT_LIMIT);
                final WorkerChannel worker = registry.pick(frameBytes);
                if (worker != null && sent < frames + 30 && System.nanoTime() >= nextSendNs &&
                    worker.offerTask(1, sent, 1, width, height, 1, System.nanoTime(), pipeline, pixels, 0, frameBytes) > 0)
                {
                    sent++;
                    nextSendNs += intervalNs;
                    if (sent == 30)
                    {
                        overhead.reset(); // the first second warms up the JIT and the log buffers
                        filterNanos[0] = 0;
                    }
                }
                Thread.onSpinWait();
            }
        }
        System.out.printf("%-10s %6d  %8d / %5d / %5d / %6d             %8d%n", width + "x" + height,
            overhead.getTotalCount(), overhead.getValueAtPercentile(50), overhead.getValueAtPercentile(95),
            overhead.getValueAtPercentile(99), overhead.getMaxValue(), filterNanos[0] / 1000 / Math.max(1, frames));
    }
}
