package io.framewire.transport;

import io.aeron.Publication;
import io.framewire.codec.sbe.FrameResultEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Offers a worker's {@code FrameResult}s, each in parts that fit one Aeron fragment, the worker-side twin of
 * {@link FrameTaskSender}: the SBE head (stats and detections) is encoded once per result and patched per part, the
 * pixels are offered as a second vector straight from the filter's output. A result stopped by back pressure
 * part-way keeps its place: {@link #sendRemainingParts} goes on from there, so the worker's duty cycle never waits.
 */
final class FrameResultSender
{
    private final UnsafeBuffer headBuffer = new UnsafeBuffer(new byte[512 + WorkerEndpoint.MAX_DETECTIONS *
        FrameResultEncoder.DetectionsEncoder.sbeBlockLength()]);
    private final MessageHeaderEncoder messageHeader = new MessageHeaderEncoder();
    private final FrameResultEncoder encoder = new FrameResultEncoder();
    private FrameOutcome outcome;
    private int headLength;
    private int sent;
    private boolean pending;

    /**
     * Starts a result and offers its parts.
     *
     * @return the position after the last part when all went out, else the failed offer's negative code.
     */
    long offer(final Publication publication, final int workerId, final TaskHeader task, final FrameOutcome outcome)
    {
        encoder.wrapAndApplyHeader(headBuffer, 0, messageHeader)
            .jobId(task.jobId())
            .frameNumber(task.frameNumber())
            .attempt((short)task.attempt())
            .workerId(workerId)
            .status(outcome.status())
            .width(task.width())
            .height(task.height())
            .frameEncoding(outcome.frameEncoding())
            .dispatchNanos(task.dispatchNanos())
            .filterNanos(outcome.filterNanos())
            .memoryBytes(outcome.memoryBytes())
            .pixelsTotal(outcome.pixelsTotal())
            .pixelsOffset(0);
        final int[] boxes = outcome.boxes();
        final FrameResultEncoder.DetectionsEncoder detections = encoder.detectionsCount(outcome.boxCount());
        for (int i = 0; i < outcome.boxCount(); i++)
        {
            final int at = i * FrameOutcome.DETECTION_VALUES;
            final int score = boxes[at + 4];
            final FrameResultEncoder.DetectionsEncoder detection = detections.next().x(boxes[at]).y(boxes[at + 1])
                .width(boxes[at + 2]).height(boxes[at + 3])
                .score(score == FrameOutcome.NO_SCORE ? FrameResultEncoder.DetectionsEncoder.scoreNullValue() :
                    score);
            for (int k = 0; k < 2 * FrameOutcome.KEYPOINTS; k++)
            {
                detection.keypoints(k, (short)(score == FrameOutcome.NO_SCORE ? 0 : boxes[at + 5 + k]));
            }
        }
        headLength = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        this.outcome = outcome;
        this.sent = 0;
        this.pending = true;
        return sendRemainingParts(publication);
    }

    /** Pixel bytes one result part can carry besides {@code boxCount} detections. */
    static int partCapacity(final Publication publication, final int boxCount)
    {
        return publication.maxPayloadLength() - MessageHeaderEncoder.ENCODED_LENGTH - FrameResultEncoder.BLOCK_LENGTH -
            FrameResultEncoder.DetectionsEncoder.sbeHeaderSize() -
            boxCount * FrameResultEncoder.DetectionsEncoder.sbeBlockLength() - FrameResultEncoder.pixelsHeaderLength();
    }

    /** True while a result has parts left to send. */
    boolean pending()
    {
        return pending;
    }

    void abandon()
    {
        pending = false;
        outcome = null;
    }

    long sendRemainingParts(final Publication publication)
    {
        final int total = outcome.pixelsTotal();
        final int capacity = partCapacity(publication, outcome.boxCount());
        long result;
        do
        {
            final int partLength = Math.min(capacity, total - sent);
            encoder.pixelsOffset(sent);
            // The var-data length prefix of 'pixels', written by hand so the bytes themselves need not be copied.
            headBuffer.putInt(headLength, partLength, ByteOrder.LITTLE_ENDIAN);
            final int length = headLength + FrameResultEncoder.pixelsHeaderLength();
            result = partLength == 0 ? publication.offer(headBuffer, 0, length) :
                publication.offer(headBuffer, 0, length, outcome.pixels(), sent, partLength);
            if (result < 0)
            {
                return result;
            }
            sent += partLength;
        }
        while (sent < total);
        abandon();
        return result;
    }
}
