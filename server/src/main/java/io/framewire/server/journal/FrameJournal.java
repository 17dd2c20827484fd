package io.framewire.server.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A job's frame tasks on disk, in Chronicle Queues under {@code dataDir/job-N.journal}: every task's pixels are
 * appended before the task can be sent, and a retry reads them back from here.
 *
 * <p>Retention: the journal is cut into segments of {@code framesPerSegment} frames, one queue each. A segment is
 * deleted once all its frames are encoded (nothing can retry them any more), so a job holds at most its in-flight
 * window plus two segments on disk whatever the video's length; the whole journal is deleted when the job ends.
 *
 * <p>Threads: {@link #append} is called by the job's decoder only, {@link #read} by the dispatch thread only, for
 * frames not yet encoded; the decoder deletes finished segments as it opens new ones.
 */
public final class FrameJournal implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameJournal.class);
    /** Segments alive at once is bounded by the window, so this many slots never wrap onto a live one. */
    private static final int SEGMENT_SLOTS = 64;
    private static final int ENTRY_HEADER_BYTES = Long.BYTES + Integer.BYTES;

    private final File directory;
    private final int framesPerSegment;
    private final long blockSize;
    private final AtomicReferenceArray<Segment> segments = new AtomicReferenceArray<>(SEGMENT_SLOTS);
    private final AtomicLong bytesAppended = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private long oldestLiveSegment;
    private volatile long appendNanosTotal;

    /**
     * @param framesPerSegment  frames in one segment; at most {@code SEGMENT_SLOTS - 2} segments can be live, so
     *                          it must be at least the in-flight window / 62.
     * @param largestEntryBytes the most pixel bytes one task carries.
     */
    public FrameJournal(final Path dataDir, final long jobId, final int framesPerSegment, final int largestEntryBytes)
    {
        this.directory = dataDir.resolve("job-" + jobId + ".journal").toFile();
        this.framesPerSegment = framesPerSegment;
        // A document must fit well inside one mapped block; blocks are only address space until written.
        this.blockSize = Math.max(64L << 20, Long.highestOneBit((long)(largestEntryBytes + ENTRY_HEADER_BYTES) * 4) << 1);
        IoUtil.delete(directory, true);
    }

    /**
     * Decoder thread: appends frame {@code frameNumber}'s task pixels, {@code length} bytes at {@code address}.
     *
     * @return the entry's index, for {@link #read}.
     */
    public long append(final long frameNumber, final long address, final int length, final long encodedFrames)
    {
        final long startNs = System.nanoTime();
        final long segmentNumber = frameNumber / framesPerSegment;
        Segment segment = segments.get((int)(segmentNumber % SEGMENT_SLOTS));
        if (segment == null || segment.number != segmentNumber)
        {
            deleteFinishedSegments(encodedFrames);
            segment = openSegment(segmentNumber);
        }
        final long index;
        try (DocumentContext document = segment.appender.writingDocument())
        {
            final Bytes<?> bytes = document.wire().bytes();
            bytes.writeLong(frameNumber);
            bytes.writeInt(length);
            bytes.unsafeWrite(address, length);
            index = document.index();
        }
        bytesAppended.lazySet(bytesAppended.get() + length);
        appendNanosTotal += System.nanoTime() - startNs;
        return index;
    }

    /**
     * Dispatch thread: copies frame {@code frameNumber}'s task pixels, appended at {@code index}, to
     * {@code destination}.
     *
     * @throws IllegalStateException if the journal does not hold that frame as appended.
     */
    public void read(final long frameNumber, final long index, final UnsafeBuffer destination, final int length)
    {
        final Segment segment = segments.get((int)((frameNumber / framesPerSegment) % SEGMENT_SLOTS));
        if (segment == null || segment.number != frameNumber / framesPerSegment)
        {
            throw new IllegalStateException("journal segment of frame " + frameNumber + " is gone");
        }
        if (segment.tailer == null)
        {
            segment.tailer = segment.queue.createTailer();
        }
        if (!segment.tailer.moveToIndex(index))
        {
            throw new IllegalStateException("journal has no entry " + Long.toHexString(index) + " for frame " + frameNumber);
        }
        try (DocumentContext document = segment.tailer.readingDocument())
        {
            final Bytes<?> bytes = document.wire().bytes();
            final long storedFrame = bytes.readLong();
            final int storedLength = bytes.readInt();
            if (!document.isPresent() || storedFrame != frameNumber || storedLength != length)
            {
                throw new IllegalStateException("journal entry " + Long.toHexString(index) + " holds frame " +
                    storedFrame + " (" + storedLength + " bytes), not frame " + frameNumber + " (" + length + ")");
            }
            bytes.unsafeRead(destination.addressOffset(), length);
        }
        reads.lazySet(reads.get() + 1);
    }

    private Segment openSegment(final long number)
    {
        final SingleChronicleQueue queue = SingleChronicleQueueBuilder
            .binary(new File(directory, String.format("%06d", number)))
            .blockSize(blockSize)
            .build();
        final Segment segment = new Segment(number, queue, queue.createAppender());
        final Segment previous = segments.getAndSet((int)(number % SEGMENT_SLOTS), segment);
        if (previous != null)
        {
            throw new IllegalStateException("journal segment " + previous.number + " still open when " + number +
                " opened; the window is too large for " + framesPerSegment + " frames per segment");
        }
        return segment;
    }

    /** Deletes the segments whose every frame has been encoded: no retry can need them. */
    private void deleteFinishedSegments(final long encodedFrames)
    {
        while ((oldestLiveSegment + 1) * framesPerSegment <= encodedFrames)
        {
            final int slot = (int)(oldestLiveSegment % SEGMENT_SLOTS);
            final Segment segment = segments.get(slot);
            if (segment != null && segment.number == oldestLiveSegment)
            {
                segments.set(slot, null);
                segment.delete();
            }
            oldestLiveSegment++;
        }
    }

    /** Pixel bytes appended so far. */
    public long bytesAppended()
    {
        return bytesAppended.get();
    }

    /** Tasks read back for a retry so far. */
    public long reads()
    {
        return reads.get();
    }

    /** Decoder thread: time spent appending so far. */
    public long appendNanosTotal()
    {
        return appendNanosTotal;
    }

    /** Segments on disk now (approximate while the job runs). */
    public int liveSegments()
    {
        int live = 0;
        for (int i = 0; i < SEGMENT_SLOTS; i++)
        {
            live += segments.get(i) == null ? 0 : 1;
        }
        return live;
    }

    public File directory()
    {
        return directory;
    }

    /** After the decoder and the dispatcher are done with the job: closes and deletes everything. */
    @Override
    public void close()
    {
        for (int i = 0; i < SEGMENT_SLOTS; i++)
        {
            final Segment segment = segments.getAndSet(i, null);
            if (segment != null)
            {
                segment.delete();
            }
        }
        IoUtil.delete(directory, true);
        LOG.debug("journal {} deleted", directory);
    }

    private static final class Segment
    {
        final long number;
        final SingleChronicleQueue queue;
        final ExcerptAppender appender;
        ExcerptTailer tailer;

        Segment(final long number, final SingleChronicleQueue queue, final ExcerptAppender appender)
        {
            this.number = number;
            this.queue = queue;
            this.appender = appender;
        }

        void delete()
        {
            queue.close();
            IoUtil.delete(queue.file(), true);
        }
    }
}
