package io.framewire.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.framewire.codec.sbe.FrameResultEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.PixelFormat;
import io.framewire.codec.sbe.TaskStatus;
import io.framewire.codec.sbe.WorkerHeartbeatEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetAddress;
import java.nio.ByteOrder;
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
    private final PixelFormat frameEncoding;
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[512 + MAX_DETECTIONS * 16]);
    private final MessageHeaderEncoder messageHeader = new MessageHeaderEncoder();
    private final FrameResultEncoder resultEncoder = new FrameResultEncoder();
    private final WorkerHeartbeatEncoder heartbeatEncoder = new WorkerHeartbeatEncoder();
    private final long processId = ProcessHandle.current().pid();

    /** A worker on the server's host: tasks and results over IPC. */
    public WorkerEndpoint(final Aeron aeron)
    {
        this(aeron, null, null, PixelFormat.BGR24);
    }

    /**
     * A worker on another host: tasks arrive over UDP on {@code listenHost} (port chosen by the system), results
     * go over UDP to {@code serverEndpoint}, the server's worker endpoint (host:port). With
     * {@code frameEncoding} {@link PixelFormat#LZ4} pixels cross the link compressed, both ways.
     */
    public WorkerEndpoint(final Aeron aeron, final InetAddress listenHost, final String serverEndpoint,
        final PixelFormat frameEncoding)
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

    /** How this worker wants its tasks' pixels, and sends its results'. */
    public PixelFormat frameEncoding()
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
        return results.offer(headerBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    /** Pixel bytes one result part can carry besides {@code boxCount} detections. */
    public int resultPartCapacity(final int boxCount)
    {
        return results.maxPayloadLength() - MessageHeaderEncoder.ENCODED_LENGTH - FrameResultEncoder.BLOCK_LENGTH -
            FrameResultEncoder.DetectionsEncoder.sbeHeaderSize() -
            boxCount * FrameResultEncoder.DetectionsEncoder.sbeBlockLength() - FrameResultEncoder.pixelsHeaderLength();
    }

    /**
     * Offer one part of a result: {@code partLength} bytes from {@code partOffset} of the {@code pixelsTotal}
     * result pixels at {@code pixels}, sent from where the filter wrote them; at most
     * {@link #resultPartCapacity} bytes. Every part carries the stats and the detections, {@code boxCount} boxes in
     * {@code boxes} as x, y, width, height (at most {@link #MAX_DETECTIONS}).
     *
     * @return the publication's result; negative codes are the caller's to handle.
     */
    public long offerResultPart(final long jobId, final int frameNumber, final int attempt, final TaskStatus status,
        final int width, final int height, final long dispatchNanos, final long filterNanos, final long memoryBytes,
        final int[] boxes, final int boxCount, final PixelFormat pixelFormat, final DirectBuffer pixels,
        final int pixelsTotal, final int partOffset, final int partLength)
    {
        resultEncoder.wrapAndApplyHeader(headerBuffer, 0, messageHeader)
            .jobId(jobId)
            .frameNumber(frameNumber)
            .attempt((short)attempt)
            .workerId(workerId)
            .status(status)
            .width(width)
            .height(height)
            .pixelFormat(pixelFormat)
            .dispatchNanos(dispatchNanos)
            .filterNanos(filterNanos)
            .memoryBytes(memoryBytes)
            .pixelsTotal(pixelsTotal)
            .pixelsOffset(partOffset);
        final FrameResultEncoder.DetectionsEncoder detections = resultEncoder.detectionsCount(boxCount);
        for (int i = 0; i < boxCount; i++)
        {
            detections.next().x(boxes[i * 4]).y(boxes[i * 4 + 1]).width(boxes[i * 4 + 2]).height(boxes[i * 4 + 3]);
        }
        // Var-data length prefix written by hand; the pixels follow as the second vector, not copied here.
        final int limit = MessageHeaderEncoder.ENCODED_LENGTH + resultEncoder.encodedLength();
        headerBuffer.putInt(limit, partLength, ByteOrder.LITTLE_ENDIAN);
        final int headerLength = limit + FrameResultEncoder.pixelsHeaderLength();
        if (partLength == 0)
        {
            return results.offer(headerBuffer, 0, headerLength);
        }
        return results.offer(headerBuffer, 0, headerLength, pixels, partOffset, partLength);
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
