package io.framewire.server.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import org.HdrHistogram.Histogram;
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
 * <p>Threads: {@link #append} and {@link #prepare} are called by the job's journal thread only ({@link JournalWriter}),
 * {@link #read} by the dispatch thread only, for frames not yet encoded.
 */
public final class FrameJournal implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FrameJournal.class);
    /** Segments alive at once is bounded by the window, so this many slots never wrap onto a live one. */
    private static final int SEGMENT_SLOTS = 64;
    private static final int ENTRY_HEADER_BYTES = Long.BYTES + Integer.BYTES;
    private static final long PAGE = 4096;
    /** 1 MiB per duty cycle: the journal thread stays responsive to new frames while it touches pages. */
    private static final int TOUCH_PAGES_PER_CALL = 256;

    private final File directory;
    private final int framesPerSegment;
    private final long blockSize;
    private final AtomicReferenceArray<Segment> segments = new AtomicReferenceArray<>(SEGMENT_SLOTS);
    private final AtomicLong bytesAppended = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private long oldestLiveSegment;
    private volatile long appendNanosTotal;
    private final Histogram appendNanos = new Histogram(10_000_000_000L, 2);
    private int lastLength;

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
     * Journal thread: appends frame {@code frameNumber}'s task pixels, {@code length} bytes at {@code address}.
     *
     * @return the entry's index, for {@link #read}.
     */
    public long append(final long frameNumber, final long address, final int length)
    {
        final long startNs = System.nanoTime();
        final long segmentNumber = frameNumber / framesPerSegment;
        Segment segment = segments.get((int)(segmentNumber % SEGMENT_SLOTS));
        if (segment == null || segment.number != segmentNumber)
        {
            segment = openSegment(segmentNumber); // not opened ahead: only when appends outrun the housekeeping
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
        final long tookNs = System.nanoTime() - startNs;
        appendNanosTotal += tookNs;
        appendNanos.recordValue(Math.min(tookNs, appendNanos.getHighestTrackableValue()));
        lastLength = length;
        return index;
    }

    /**
     * Journal thread, between appends: the work that would otherwise stall one: deletes segments whose frames
     * are all encoded, opens the next segment when the current one is half full, and touches the pages the next
     * two appends will write. Fresh pages of a new file cost a page fault each (5 ms for a 720p frame on this
     * machine's disk, against 0.3 ms to copy into touched ones), so they are faulted in here, ahead of time.
     *
     * @return pages touched and segments opened or deleted: 0 when there is nothing left to do.
     */
    public int prepare(final long nextFrame, final long encodedFrames)
    {
        return prepare(nextFrame, encodedFrames, true);
    }

    /** {@link #prepare}, touching pages only with {@code touchPages}: for measuring what touching saves. */
    public int prepare(final long nextFrame, final long encodedFrames, final boolean touchPages)
    {
        int work = deleteFinishedSegments(encodedFrames);
        final long segmentNumber = nextFrame / framesPerSegment;
        final Segment current = segments.get((int)(segmentNumber % SEGMENT_SLOTS));
        if (current == null || current.number != segmentNumber)
        {
            openSegment(segmentNumber);
            return work + 1;
        }
        if (nextFrame % framesPerSegment >= framesPerSegment / 2)
        {
            final Segment next = segments.get((int)((segmentNumber + 1) % SEGMENT_SLOTS));
            if (next == null)
            {
                openSegment(segmentNumber + 1);
                return work + 1;
            }
            if (touchPages)
            {
                work += next.touchAhead(lastLength, TOUCH_PAGES_PER_CALL);
            }
        }
        return touchPages ? work + current.touchAhead(2L * lastLength, TOUCH_PAGES_PER_CALL) : work;
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
        segment.start();
        final Segment previous = segments.getAndSet((int)(number % SEGMENT_SLOTS), segment);
        if (previous != null)
        {
            throw new IllegalStateException("journal segment " + previous.number + " still open when " + number +
                " opened; the window is too large for " + framesPerSegment + " frames per segment");
        }
        return segment;
    }

    /** Deletes the segments whose every frame has been encoded: no retry can need them. */
    private int deleteFinishedSegments(final long encodedFrames)
    {
        int deleted = 0;
        while ((oldestLiveSegment + 1) * framesPerSegment <= encodedFrames)
        {
            final int slot = (int)(oldestLiveSegment % SEGMENT_SLOTS);
            final Segment segment = segments.get(slot);
            if (segment != null && segment.number == oldestLiveSegment)
            {
                segments.set(slot, null);
                segment.delete();
                deleted++;
            }
            oldestLiveSegment++;
        }
        return deleted;
    }

    /** Journal thread: append times so far, in nanoseconds. */
    public Histogram appendNanos()
    {
        return appendNanos;
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

    /** Journal thread: time spent appending so far. */
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

    /** After the journal thread and the dispatcher are done with the job: closes and deletes everything. */
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
        long touchedUpTo;

        Segment(final long number, final SingleChronicleQueue queue, final ExcerptAppender appender)
        {
            this.number = number;
            this.queue = queue;
            this.appender = appender;
        }

        /** A first, small document: it maps the file, so its pages can be touched before the first frame. */
        void start()
        {
            try (DocumentContext document = appender.writingDocument())
            {
                document.wire().bytes().writeLong(-1L);
            }
        }

        /** Touches up to {@code maxPages} pages of the next {@code bytesAhead} bytes past the write position. */
        int touchAhead(final long bytesAhead, final int maxPages)
        {
            final Bytes<?> bytes = appender.wire().bytes();
            final BytesStore<?, ?> store = bytes.bytesStore();
            final long end = bytes.writePosition() + bytesAhead;
            touchedUpTo = Math.max(touchedUpTo, (bytes.writePosition() + PAGE) & -PAGE);
            int touched = 0;
            while (touched < maxPages && touchedUpTo < end && store.inside(touchedUpTo, Long.BYTES))
            {
                // Zero is what an unwritten file holds, so this changes nothing but faults the page in.
                store.compareAndSwapLong(touchedUpTo, 0L, 0L);
                touchedUpTo += PAGE;
                touched++;
            }
            return touched;
        }

        void delete()
        {
            queue.close();
            IoUtil.delete(queue.file(), true);
        }
    }
}
