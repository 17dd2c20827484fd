package io.framewire.server.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Files;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A job's progress on disk, a Chronicle Queue under {@code dataDir/job-N.journal}: a small record for every frame
 * decoded (before it may be sent), and one each time the output's encoded frames pass a step. It holds no pixels:
 * a frame's input stays in its ring slot beside its result until the frame is encoded, so a retry sends the input
 * again from memory, and the upload itself is on disk.
 *
 * <pre>
 *   frame record    | type=1 (byte) | frame (long) | input time us (long) | decoded at ns (long) | task bytes (int) |
 *   encoded record  | type=2 (byte) | frames encoded so far (long) |
 * </pre>
 *
 * <p>Threads: the appends are made by the job's journal thread only ({@code run.JournalWriter}); the journal is deleted
 * when the job ends.
 */
public final class FrameJournal implements AutoCloseable
{
    public static final byte FRAME_RECORD = 1;
    public static final byte ENCODED_RECORD = 2;

    private static final Logger LOG = LoggerFactory.getLogger(FrameJournal.class);
    /** Records are tens of bytes; a small block keeps a job's files small. */
    private static final long BLOCK_BYTES = 1L << 20;

    private final File directory;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final AtomicLong bytesAppended = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final Histogram appendNanos = new Histogram(10_000_000_000L, 2);
    private volatile long appendNanosTotal;

    public FrameJournal(final Path dataDir, final long jobId)
    {
        this.directory = dataDir.resolve("job-" + jobId + ".journal").toFile();
        IoUtil.delete(directory, true);
        try
        {
            // Made private before Chronicle writes into it: the journal names the job's frames and timings.
            Files.createDirectories(directory.toPath(),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        this.queue = SingleChronicleQueueBuilder.binary(directory).blockSize(BLOCK_BYTES).build();
        this.appender = queue.createAppender();
    }

    /**
     * Journal thread: frame {@code frameNumber} decoded and may now be sent.
     *
     * @return the record's index.
     */
    public long appendFrame(final long frameNumber, final long timestampUs, final long decodedAtNs,
        final int taskBytes)
    {
        final long startNs = System.nanoTime();
        final long index;
        final long length;
        try (DocumentContext document = appender.writingDocument())
        {
            final Bytes<?> bytes = document.wire().bytes();
            final long start = bytes.writePosition();
            bytes.writeByte(FRAME_RECORD);
            bytes.writeLong(frameNumber);
            bytes.writeLong(timestampUs);
            bytes.writeLong(decodedAtNs);
            bytes.writeInt(taskBytes);
            length = bytes.writePosition() - start;
            index = document.index();
        }
        appended(length, System.nanoTime() - startNs);
        return index;
    }

    /** Journal thread: {@code encodedFrames} frames of the output are encoded, in order. */
    public void appendEncoded(final long encodedFrames)
    {
        final long startNs = System.nanoTime();
        final long length;
        try (DocumentContext document = appender.writingDocument())
        {
            final Bytes<?> bytes = document.wire().bytes();
            final long start = bytes.writePosition();
            bytes.writeByte(ENCODED_RECORD);
            bytes.writeLong(encodedFrames);
            length = bytes.writePosition() - start;
        }
        appended(length, System.nanoTime() - startNs);
    }

    private void appended(final long length, final long tookNs)
    {
        bytesAppended.lazySet(bytesAppended.get() + length);
        records.lazySet(records.get() + 1);
        appendNanosTotal += tookNs;
        appendNanos.recordValue(Math.min(tookNs, appendNanos.getHighestTrackableValue()));
    }

    /** What a reader of the journal is told, record by record. */
    public interface RecordHandler
    {
        void onFrame(long frameNumber, long timestampUs, long decodedAtNs, int taskBytes);

        void onEncoded(long encodedFrames);
    }

    /**
     * Reads every record from the start, in order, on the calling thread (not the journal thread's appender).
     *
     * @return records read.
     */
    public long read(final RecordHandler handler)
    {
        long read = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext document = tailer.readingDocument())
                {
                    if (!document.isPresent())
                    {
                        return read;
                    }
                    final Bytes<?> bytes = document.wire().bytes();
                    final byte type = bytes.readByte();
                    if (type == FRAME_RECORD)
                    {
                        handler.onFrame(bytes.readLong(), bytes.readLong(), bytes.readLong(), bytes.readInt());
                    }
                    else if (type == ENCODED_RECORD)
                    {
                        handler.onEncoded(bytes.readLong());
                    }
                    else
                    {
                        throw new IllegalStateException("journal " + directory + " holds a record of unknown type " +
                            type);
                    }
                    read++;
                }
            }
        }
    }

    /** Journal thread: append times so far, in nanoseconds. */
    public Histogram appendNanos()
    {
        return appendNanos;
    }

    /** Bytes of records appended so far. */
    public long bytesAppended()
    {
        return bytesAppended.get();
    }

    /** Records appended so far. */
    public long records()
    {
        return records.get();
    }

    /** Journal thread: time spent appending so far. */
    public long appendNanosTotal()
    {
        return appendNanosTotal;
    }

    public File directory()
    {
        return directory;
    }

    /** After the journal thread is done with the job: closes and deletes the journal. */
    @Override
    public void close()
    {
        appender.close();
        queue.close();
        IoUtil.delete(directory, true);
        LOG.debug("journal {} deleted", directory);
    }
}
