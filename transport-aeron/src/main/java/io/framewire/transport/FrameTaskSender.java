package io.framewire.transport;

import io.aeron.Publication;
import io.framewire.codec.sbe.FrameTaskEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.FrameEncoding;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Offers {@code FrameTask}s to one worker, each frame in parts that fit one Aeron fragment. The SBE head is
 * encoded once per task into a small reused buffer and patched per part; the pixels are offered as a second
 * vector straight from where the decoder put them, so a frame is copied once, into the log buffer, and the worker
 * copies each part straight into its Mat.
 *
 * <p>A task stopped by back pressure part-way keeps its place: {@link #sendRemainingParts} goes on from there.
 */
final class FrameTaskSender
{
    private final UnsafeBuffer headBuffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
        FrameTaskEncoder.BLOCK_LENGTH + FrameTaskEncoder.pipelineHeaderLength() + 4096]);
    private final MessageHeaderEncoder messageHeader = new MessageHeaderEncoder();
    private final FrameTaskEncoder encoder = new FrameTaskEncoder();
    private DirectBuffer pixels;
    private int pixelsOffset;
    private int pixelsTotal;
    private int sent;
    private int headLength;
    private boolean pending;

    /**
     * Starts a task and offers its parts.
     *
     * @return the position after the last part when all went out, else the failed offer's negative code.
     */
    long offer(final Publication publication, final TaskHeader task, final byte[] pipeline,
        final FrameEncoding frameEncoding, final DirectBuffer pixels, final int pixelsOffset, final int pixelsLength)
    {
        if (pipeline.length > headBuffer.capacity() - FrameTaskEncoder.BLOCK_LENGTH - 64)
        {
            throw new IllegalArgumentException("pipeline of " + pipeline.length + " bytes is too long");
        }
        encoder.wrapAndApplyHeader(headBuffer, 0, messageHeader)
            .jobId(task.jobId())
            .frameNumber(task.frameNumber())
            .attempt((short)task.attempt())
            .width(task.width())
            .height(task.height())
            .frameEncoding(frameEncoding)
            .frameCount((short)task.frameCount())
            .dispatchNanos(task.dispatchNanos())
            .pixelsTotal(pixelsLength)
            .pixelsOffset(0)
            .putPipeline(pipeline, 0, pipeline.length);
        headLength = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        this.pixels = pixels;
        this.pixelsOffset = pixelsOffset;
        this.pixelsTotal = pixelsLength;
        this.sent = 0;
        this.pending = true;
        return sendRemainingParts(publication);
    }

    /** True while a task has parts out and parts left: it must be finished on this publication. */
    boolean partlySent()
    {
        return pending && sent > 0;
    }

    /** Abandons the task in progress (its worker is gone). */
    void abandon()
    {
        pending = false;
        pixels = null;
    }

    long sendRemainingParts(final Publication publication)
    {
        final int partCapacity = publication.maxPayloadLength() - headLength - FrameTaskEncoder.pixelsHeaderLength();
        long result;
        do
        {
            final int partLength = Math.min(partCapacity, pixelsTotal - sent);
            encoder.pixelsOffset(sent);
            // The var-data length prefix of 'pixels', written by hand so the bytes themselves need not be copied.
            headBuffer.putInt(headLength, partLength, ByteOrder.LITTLE_ENDIAN);
            result = publication.offer(headBuffer, 0, headLength + FrameTaskEncoder.pixelsHeaderLength(),
                pixels, pixelsOffset + sent, partLength);
            if (result < 0)
            {
                return result;
            }
            sent += partLength;
        }
        while (sent < pixelsTotal);
        abandon();
        return result;
    }
}
