package io.framewire.server.job;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A job's frames in flight: a ring of off-heap slots, frame {@code n} in slot {@code n % capacity}. The decoder
 * writes a frame's pixels into its slot (followed by the previous frame's when the pipeline compares frames), the
 * dispatcher sends them from there (again, for a retry), the result's pixels land beside them, and the encoder takes
 * results in order and frees the slot. The ring is the job's in-flight window: the decoder waits while
 * {@code capacity} frames are not yet encoded, so memory stays flat with video length.
 *
 * <p>Each counter has one writer: {@link #decoded} the decoder, {@link #journaled} the journal thread, completion
 * markers the dispatch thread,
 * {@link #encoded} the encoder.
 */
public final class FrameRing implements AutoCloseable
{
    private final int capacity;
    private final int frameBytes;
    private final int framesPerSlot;
    private final BytePointer[] memory;
    private final UnsafeBuffer[] slots;
    private final ByteBuffer[] byteBuffers;
    private final BytePointer[] resultMemory;
    private final UnsafeBuffer[] results;
    private final ByteBuffer[] resultByteBuffers;
    private final long[] decodedAtNs;
    private final long[] timestampUs;
    private final AtomicLongArray completedMarker;
    private final AtomicLong decoded = new AtomicLong();
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong encoded = new AtomicLong();
    private volatile long totalFrames = -1;
    private long firstFrame;
    private volatile long firstTimestampUs = Long.MIN_VALUE;

    /**
     * Most bytes of pixels one job's ring holds: a 4K job gets fewer slots than its window, so that no job's
     * in-flight frames take more memory than the server's native memory limit allows for several (server/jvm.options).
     */
    public static final long MAX_RING_BYTES = 256L << 20;

    /** The slots a job gets: its window, or fewer where frames are so large that the window would pass the limit. */
    public static int capacityFor(final int window, final int frameBytes, final int framesPerSlot)
    {
        final long slotBytes = (long)frameBytes * (framesPerSlot + 1);
        return (int)Math.max(2, Math.min(window, MAX_RING_BYTES / slotBytes));
    }

    /** @param framesPerSlot 2 when each slot also keeps the previous input frame, else 1. */
    public FrameRing(final int capacity, final int frameBytes, final int framesPerSlot)
    {
        this.capacity = capacity;
        this.frameBytes = frameBytes;
        this.framesPerSlot = framesPerSlot;
        final int slotBytes = frameBytes * framesPerSlot;
        memory = new BytePointer[capacity];
        slots = new UnsafeBuffer[capacity];
        byteBuffers = new ByteBuffer[capacity];
        resultMemory = new BytePointer[capacity];
        results = new UnsafeBuffer[capacity];
        resultByteBuffers = new ByteBuffer[capacity];
        decodedAtNs = new long[capacity];
        timestampUs = new long[capacity];
        completedMarker = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++)
        {
            memory[i] = new BytePointer(slotBytes);
            byteBuffers[i] = memory[i].asBuffer();
            slots[i] = new UnsafeBuffer(byteBuffers[i]); // with its ByteBuffer: LZ4 compresses from it
            resultMemory[i] = new BytePointer(frameBytes);
            resultByteBuffers[i] = resultMemory[i].asBuffer();
            results[i] = new UnsafeBuffer(resultByteBuffers[i]);
        }
    }

    /**
     * Before the job's threads start: its frames before {@code frame} are in the output already (a job carried on
     * from what a stopped server left), and only the rest go through the ring.
     */
    public void startAt(final long frame)
    {
        firstFrame = frame;
        decoded.set(frame);
        journaled.set(frame);
        encoded.set(frame);
    }

    /** The first frame that goes through the ring: 0, or where a carried-on job goes on. */
    public long firstFrame()
    {
        return firstFrame;
    }

    /** Decoder: frame 0's timestamp, which the output's timing counts from (decoded even when not in the ring). */
    public void firstTimestampUs(final long timestampUs)
    {
        firstTimestampUs = timestampUs;
    }

    /** Frame 0's timestamp in the input, in microseconds; set before the first frame in the ring is published. */
    public long firstTimestampUs()
    {
        return firstTimestampUs;
    }

    public int capacity()
    {
        return capacity;
    }

    /** Bytes of one BGR frame. */
    public int frameBytes()
    {
        return frameBytes;
    }

    /** 2 when slots keep the previous input frame after the frame itself. */
    public int framesPerSlot()
    {
        return framesPerSlot;
    }

    public int slotOf(final long frameNumber)
    {
        return (int)(frameNumber % capacity);
    }

    /** The frame's task: its input pixels (and the previous frame's, when slots keep it), kept until encoded. */
    public UnsafeBuffer slot(final long frameNumber)
    {
        return slots[slotOf(frameNumber)];
    }

    public ByteBuffer slotByteBuffer(final long frameNumber)
    {
        return byteBuffers[slotOf(frameNumber)];
    }

    /** Where the frame's result lands, beside its input, so a retry can still send the input. */
    public UnsafeBuffer result(final long frameNumber)
    {
        return results[slotOf(frameNumber)];
    }

    public ByteBuffer resultByteBuffer(final long frameNumber)
    {
        return resultByteBuffers[slotOf(frameNumber)];
    }

    /** Decoder: a free slot exists for the next frame. */
    public boolean hasFreeSlot()
    {
        return decoded.get() - encoded.get() < capacity;
    }

    /**
     * Decoder: frame {@code decoded()} is in its slot and may be dispatched.
     *
     * @param presentationUs the frame's timestamp in the input, kept for the output.
     */
    public void publishDecoded(final long nowNs, final long presentationUs)
    {
        final long frame = decoded.get();
        decodedAtNs[slotOf(frame)] = nowNs;
        timestampUs[slotOf(frame)] = presentationUs;
        decoded.lazySet(frame + 1);
    }

    /** Bytes of the task of {@code frameNumber}: its frame, then the previous one when slots keep it. */
    public int taskBytes(final long frameNumber)
    {
        return frameNumber == 0 ? frameBytes : frameBytes * framesPerSlot;
    }

    /** The input timestamp of a frame in the ring, in microseconds. */
    public long timestampUs(final long frameNumber)
    {
        return timestampUs[slotOf(frameNumber)];
    }

    /** Journal thread: frame {@code journaled()} is in the journal and may be dispatched. */
    public void publishJournaled()
    {
        journaled.lazySet(journaled.get() + 1);
    }

    /** Frames journaled so far: only these may be sent to workers. */
    public long journaled()
    {
        return journaled.get();
    }

    /** Frames decoded so far. */
    public long decoded()
    {
        return decoded.get();
    }

    public long decodedAtNs(final long frameNumber)
    {
        return decodedAtNs[slotOf(frameNumber)];
    }

    /** Decoder: no more frames will come. */
    public void finishDecoding()
    {
        totalFrames = decoded.get();
    }

    /** Number of frames in the video, or -1 while decoding goes on. */
    public long totalFrames()
    {
        return totalFrames;
    }

    /** Dispatch thread: the result of this frame is in its slot. */
    public void markCompleted(final long frameNumber)
    {
        completedMarker.lazySet(slotOf(frameNumber), frameNumber + 1);
    }

    public boolean isCompleted(final long frameNumber)
    {
        return completedMarker.get(slotOf(frameNumber)) == frameNumber + 1;
    }

    /** Encoder: frame {@code encoded()} is written; its slot is free. */
    public void releaseEncoded()
    {
        encoded.lazySet(encoded.get() + 1);
    }

    public long encoded()
    {
        return encoded.get();
    }

    @Override
    public void close()
    {
        for (final BytePointer pointer : memory)
        {
            pointer.close();
        }
        for (final BytePointer pointer : resultMemory)
        {
            pointer.close();
        }
    }
}
