package io.framewire.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.codec.sbe.WorkerHeartbeatEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A worker's side of the transport: its own task stream, which only the server publishes to, and an exclusive
 * publication of results and heartbeats to the server. Used from the worker's thread only.
 */
public final class WorkerEndpoint implements AutoCloseable
{
    /** Most detections one result carries. */
    public static final int MAX_DETECTIONS = 256;

    private final int workerId;
    private final Subscription tasks;
    private final ExclusivePublication results;
    private final String taskEndpoint;
    private final FrameEncoding frameEncoding;
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[512]);
    private final MessageHeaderEncoder messageHeader = new MessageHeaderEncoder();
    private final FrameResultSender resultSender = new FrameResultSender();
    private final EpochClock epochClock = SystemEpochClock.INSTANCE;
    private WorkerSecret secret;
    private final WorkerHeartbeatEncoder heartbeatEncoder = new WorkerHeartbeatEncoder();
    private final long processId = ProcessHandle.current().pid();

    /** A worker on the server's host: tasks and results over IPC. */
    public WorkerEndpoint(final Aeron aeron)
    {
        this(aeron, null, null, FrameEncoding.BGR24);
    }

    /**
     * A worker on another host: tasks arrive over UDP on {@code listenHost} (port chosen by the system), results
     * go over UDP to {@code serverEndpoint}, the server's worker endpoint (host:port). With
     * {@code frameEncoding} {@link FrameEncoding#LZ4} pixels cross the link compressed, both ways.
     */
    public WorkerEndpoint(final Aeron aeron, final InetAddress listenHost, final String serverEndpoint,
        final FrameEncoding frameEncoding)
    {
        this.frameEncoding = frameEncoding;
        // The id doubles as the task stream id: random, so workers that come and go never reuse a live stream.
        this.workerId = ThreadLocalRandom.current().nextInt(TransportConfig.FIRST_TASK_STREAM_ID, Integer.MAX_VALUE);
        if (serverEndpoint == null)
        {
            this.tasks = aeron.addSubscription(TransportConfig.IPC_CHANNEL, workerId);
            this.results = aeron.addExclusivePublication(TransportConfig.IPC_CHANNEL,
                TransportConfig.RESULTS_STREAM_ID);
            this.taskEndpoint = "";
            return;
        }
        this.tasks = aeron.addSubscription(
            TransportConfig.udpChannel(TransportConfig.endpoint(listenHost, 0)), workerId);
        String resolved;
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while ((resolved = tasks.resolvedEndpoint()) == null)
        {
            if (System.nanoTime() > deadlineNs)
            {
                tasks.close();
                throw new IllegalStateException("the media driver did not bind a UDP port on " + listenHost);
            }
            Thread.onSpinWait();
        }
        this.taskEndpoint = resolved;
        this.results = aeron.addExclusivePublication(TransportConfig.udpChannel(serverEndpoint),
            TransportConfig.RESULTS_STREAM_ID);
    }

    /** Signs this worker's heartbeats with the secret the server's --worker-secret-file holds. */
    public WorkerEndpoint secret(final WorkerSecret secret)
    {
        this.secret = secret;
        return this;
    }

    /** How this worker wants its tasks' pixels, and sends its results'. */
    public FrameEncoding frameEncoding()
    {
        return frameEncoding;
    }

    /** Where the server sends this worker's tasks: host:port over UDP, or empty for IPC. */
    public String taskEndpoint()
    {
        return taskEndpoint;
    }

    public int workerId()
    {
        return workerId;
    }

    public Subscription tasks()
    {
        return tasks;
    }

    /** True once the server has opened this worker's task stream, i.e. it has seen a heartbeat. */
    public boolean serverConnected()
    {
        return tasks.isConnected();
    }

    /** @return the offer result; a heartbeat lost to back pressure is simply sent again next interval. */
    public long offerHeartbeat(final int credits, final long framesDone, final long cpuNanos)
    {
        heartbeatEncoder.wrapAndApplyHeader(headerBuffer, 0, messageHeader)
            .workerId(workerId)
            .taskStreamId(workerId)
            .credits(credits)
            .processId(processId)
            .framesDone(framesDone)
            .cpuNanos(cpuNanos)
            .frameEncoding(frameEncoding)
            .taskEndpoint(taskEndpoint);
        if (secret != null)
        {
            secret.sign(heartbeatEncoder, workerId, processId, taskEndpoint, epochClock.time());
        }
        return results.offer(headerBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    /**
     * Starts sending a result, in parts; when it stops part-way ({@link #resultPending()}), the rest goes with
     * {@link #continueResult()}, and the outcome's pixels must stay as they are until then.
     *
     * @return the publication's result; negative codes are the caller's to handle.
     */
    public long offerResult(final TaskHeader task, final FrameOutcome outcome)
    {
        return resultSender.offer(results, workerId, task, outcome);
    }

    /** Sends the rest of a result stopped part-way; same results as {@link #offerResult}. */
    public long continueResult()
    {
        return resultSender.sendRemainingParts(results);
    }

    /** A result has parts left to send. */
    public boolean resultPending()
    {
        return resultSender.pending();
    }

    /** Gives up the result in progress (the server is gone; it sends the frame again or fails it). */
    public void abandonResult()
    {
        resultSender.abandon();
    }

    /** Pixel bytes one result part carries besides {@code boxCount} detections. */
    public int resultPartCapacity(final int boxCount)
    {
        return FrameResultSender.partCapacity(results, boxCount);
    }

    /** True for offer results that will not get better by trying again. */
    public static boolean isFatal(final long offerResult)
    {
        return offerResult == Publication.CLOSED || offerResult == Publication.MAX_POSITION_EXCEEDED;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(results, tasks);
    }
}
