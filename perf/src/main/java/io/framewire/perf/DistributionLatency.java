package io.framewire.perf;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.framewire.codec.sbe.FrameResultDecoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
import io.framewire.server.journal.FrameJournal;
import io.framewire.transport.EmbeddedMediaDriver;
import io.framewire.transport.TransportConfig;
import io.framewire.transport.TaskHeader;
import io.framewire.transport.WorkerProxy;
import io.framewire.transport.WorkerEndpoint;
import io.framewire.transport.WorkerRegistry;
import io.framewire.worker.FrameWorker;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The per-frame overhead of distribution: from a frame being journaled and sent to its result being read back,
 * minus the worker's own filter time, for frames sent at a steady 30 fps, over Aeron IPC and over UDP loopback.
 * The journal's share is the append of each frame's record,
     as in the server. The worker runs on its own thread in this process: over IPC the frames cross the
 * same shared-memory log buffers as between processes; over UDP the worker has a media driver of its own and
 * frames cross the loopback interface both ways.
 * Usage: {@code DistributionLatency [FRAMES] [DATA_DIR]}; prints p50/p95/p99/max in microseconds.
 * {@code -Dbench.transports=udp} runs UDP only.
 */
public final class DistributionLatency
{
    /** -Dbench.journal=false leaves the journal out, to see its share. */
    private static final boolean JOURNAL = Boolean.parseBoolean(System.getProperty("bench.journal", "true"));


    private DistributionLatency()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int frames = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        final Path dataDir = Files.createTempDirectory(Path.of(args.length > 1 ? args[1] : "/tmp"), "distribution");
        // A whole run first, thrown away: JIT compilation and the first journal files take seconds on 2 cores.
        final PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        run(false, 1280, 720, 150, dataDir);
        System.setOut(out);
        System.out.println("transport  size       frames  overhead p50 / p95 / p99 / max (us)   journal p50 / p99 " +
            "(us)" +
            "   filter mean (us)");
        for (final boolean udp : System.getProperty("bench.transports", "ipc,udp").equals("udp") ?
            new boolean[] {true} : new boolean[] {false, true})
        {
            for (final int[] size : new int[][] {{1280, 720}, {1920, 1080}})
            {
                run(udp, size[0], size[1], frames, dataDir);
            }
        }
        Files.deleteIfExists(dataDir);
    }

    private static void run(final boolean udp, final int width, final int height, final int frames,
        final Path dataDir) throws Exception
    {
        final String dir = TransportConfig.AERON_DIR_DEFAULT + "-bench-" + UUID.randomUUID();
        final String workerDir = dir + "-worker";
        final String serverEndpoint = "127.0.0.1:" + freeUdpPort();
        MediaDriver workerDriver = null;
        Aeron workerAeron = null;
        try (MediaDriver driver = EmbeddedMediaDriver.launch(dir, udp);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            WorkerRegistry registry = new WorkerRegistry(aeron, 0, SystemNanoClock.INSTANCE);
            Subscription results = aeron.addSubscription(udp ? TransportConfig.udpChannel(serverEndpoint) :
                TransportConfig.IPC_CHANNEL, TransportConfig.RESULTS_STREAM_ID))
        {
            if (udp)
            {
                workerDriver = EmbeddedMediaDriver.launch(workerDir, true);
                workerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(workerDir));
            }
            try (WorkerEndpoint endpoint = udp ?
                new WorkerEndpoint(workerAeron, InetAddress.getLoopbackAddress(), serverEndpoint, FrameEncoding.BGR24) :
                new WorkerEndpoint(aeron);
                AgentRunner worker = new AgentRunner(TransportConfig.pollingIdleStrategy(),
                    Throwable::printStackTrace, null, new FrameWorker(endpoint, 4, () -> { }));
                FrameJournal journal = new FrameJournal(dataDir, 1))
            {
                AgentRunner.startOnThread(worker);
                measure(udp ? "udp" : "ipc", registry, results, journal, width, height, frames);
            }
        }
        finally
        {
            CloseHelper.closeAll(workerAeron, workerDriver);
        }
    }

    private static void measure(final String transport, final WorkerRegistry registry, final Subscription results,
        final FrameJournal journal, final int width, final int height, final int frames)
    {
        final int frameBytes = width * height * 3;
        final byte[] pipeline = "gaussian:ksize=3,sigma=0".getBytes(StandardCharsets.UTF_8);
        final Histogram overhead = new Histogram(10_000_000_000L, 3);
        final Histogram journalShare = new Histogram(10_000_000_000L, 3); // written by the journal thread only
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final FrameResultDecoder result = new FrameResultDecoder();
        final WorkerHeartbeatDecoder heartbeat = new WorkerHeartbeatDecoder();
        final long[] received = new long[1];
        final long[] filterNanos = new long[1];
        final long[] journaledAt = new long[1 << 16];
        final FragmentHandler handler = (buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            if (header.templateId() == WorkerHeartbeatDecoder.TEMPLATE_ID)
            {
                registry.onHeartbeat(heartbeat.wrapAndApplyHeader(buffer, offset, header), System.nanoTime());
            }
            else if (header.templateId() == FrameResultDecoder.TEMPLATE_ID)
            {
                result.wrapAndApplyHeader(buffer, offset, header);
                final long total = result.pixelsTotal();
                final long partOffset = result.pixelsOffset();
                final FrameResultDecoder.DetectionsDecoder detections = result.detections();
                while (detections.hasNext())
                {
                    detections.next();
                }
                if (partOffset + result.pixelsLength() < total)
                {
                    return; // not the last part yet
                }
                final long now = System.nanoTime();
                registry.get(result.workerId()).onResult();
                final long startNs = journaledAt[result.frameNumber() & 0xFFFF];
                overhead.recordValue(Math.max(0, now - startNs - result.filterNanos()) / 1000);
                filterNanos[0] += result.filterNanos();
                if (++received[0] == 30)
                {
                    overhead.reset(); // the first second warms up the JIT, the log buffers and the journal
                    filterNanos[0] = 0;
                }
            }
        };
        try (BytePointer memory = new BytePointer(frameBytes))
        {
            final UnsafeBuffer pixels = new UnsafeBuffer(memory.address(), frameBytes);
            for (int i = 0; i < frameBytes; i++)
            {
                pixels.putByte(i, (byte)(i * 7 + i / 3000));
            }
            // Frames start once the worker has joined: its first heartbeat over UDP takes a moment.
            while (registry.pick(frameBytes) == null)
            {
                results.poll(handler, TransportConfig.FRAGMENT_LIMIT);
                Thread.onSpinWait();
            }
            // The journal thread, as in the server: appends a frame's record every 1/30 s.
            final int total = frames + 30;
            final AtomicLong journaled = new AtomicLong();
            final Thread journalThread = Thread.ofPlatform().name("journal").start(() ->
            {
                final IdleStrategy idle = TransportConfig.stageIdleStrategy();
                final long intervalNs = 1_000_000_000L / 30;
                long nextNs = System.nanoTime();
                for (int frame = 0; frame < total; )
                {
                    if (System.nanoTime() >= nextNs)
                    {
                        final long startNs = System.nanoTime();
                        if (JOURNAL)
                        {
                            journal.appendFrame(frame, frame * 33_333L, startNs, frameBytes);
                        }
                        journaledAt[frame & 0xFFFF] = startNs;
                        journalShare.recordValue((System.nanoTime() - startNs) / 1000);
                        journaled.lazySet(++frame);
                        nextNs += intervalNs;
                        continue;
                    }
                    idle.idle(0);
                }
            });
            final IdleStrategy idle = TransportConfig.pollingIdleStrategy();
            int sent = 0;
            final TaskHeader task = new TaskHeader();
            WorkerProxy sending = null;
            while (received[0] < total)
            {
                int work = results.poll(handler, TransportConfig.FRAGMENT_LIMIT);
                if (sending != null)
                {
                    if (sending.continueTask() > 0 || !sending.partlySent())
                    {
                        sending = null;
                        sent++;
                    }
                    idle.idle(1);
                    continue;
                }
                final WorkerProxy worker = sent < journaled.get() ? registry.pick(frameBytes) : null;
                if (worker != null)
                {
                    task.jobId(1).frameNumber(sent).attempt(1).width(width).height(height).frameCount(1)
                        .dispatchNanos(journaledAt[sent & 0xFFFF]);
                    final long offered = worker.offerTask(task, pipeline, pixels, 0, frameBytes);
                    if (offered > 0)
                    {
                        sent++;
                        work++;
                    }
                    else if (worker.partlySent())
                    {
                        sending = worker;
                    }
                }
                idle.idle(work);
            }
            journalThread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        System.out.printf("%-10s %-10s %6d  %8d / %5d / %5d / %6d        %7d / %5d            %8d%n", transport,
            width + "x" + height, overhead.getTotalCount(), overhead.getValueAtPercentile(50),
            overhead.getValueAtPercentile(95), overhead.getValueAtPercentile(99), overhead.getMaxValue(),
            journalShare.getValueAtPercentile(50), journalShare.getValueAtPercentile(99),
            filterNanos[0] / 1000 / Math.max(1, frames));
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
