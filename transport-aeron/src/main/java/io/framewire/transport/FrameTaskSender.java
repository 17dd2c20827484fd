package io.framewire.transport;

import io.aeron.Publication;
import io.framewire.codec.sbe.FrameTaskEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.PixelFormat;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Offers {@code FrameTask}s to one worker. The SBE header and fixed fields are encoded into a small reused
 * buffer and the pixels are offered as a second vector straight from where the decoder put them, so a frame
 * is copied once, into the log buffer.
 */
final class FrameTaskSender
{
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[256 + io.framewire.codec.sbe.FrameTaskEncoder.BLOCK_LENGTH + 1024]);
    private final MessageHeaderEncoder messageHeader = new MessageHeaderEncoder();
    private final FrameTaskEncoder encoder = new FrameTaskEncoder();

    /** @return the result of {@link Publication#offer}: a position, or a negative code for the caller. */
    long offer(final Publication publication, final long jobId, final int frameNumber, final int attempt,
        final int width, final int height, final int frameCount, final long dispatchNanos, final byte[] pipeline,
        final DirectBuffer pixels, final int pixelsOffset, final int pixelsLength)
    {
        encoder.wrapAndApplyHeader(headerBuffer, 0, messageHeader)
            .jobId(jobId)
            .frameNumber(frameNumber)
            .attempt((short)attempt)
            .width(width)
            .height(height)
            .pixelFormat(PixelFormat.BGR24)
            .frameCount((short)frameCount)
            .dispatchNanos(dispatchNanos)
            .putPipeline(pipeline, 0, pipeline.length);
        // The var-data length prefix of 'pixels', written by hand so the bytes themselves need not be copied here.
        final int limit = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        headerBuffer.putInt(limit, pixelsLength, ByteOrder.LITTLE_ENDIAN);
        final int headerLength = limit + FrameTaskEncoder.pixelsHeaderLength();
        return publication.offer(headerBuffer, 0, headerLength, pixels, pixelsOffset, pixelsLength);
    }
}
