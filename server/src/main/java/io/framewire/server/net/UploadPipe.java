package io.framewire.server.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An upload that can be read while it is still arriving: bytes are written to a file, and readers of
 * {@link #input()} block at the current end until more arrive, the upload completes (end of stream), or fails.
 * This lets the {@code stream} protocol decode while the client is still sending.
 */
final class UploadPipe
{
    private final Path file;
    private final OutputStream out;
    private final Object lock = new Object();
    private long written;
    private boolean complete;
    private boolean failed;

    private UploadPipe(final Path file, final OutputStream out)
    {
        this.file = file;
        this.out = out;
    }

    /**
     * Creates the upload's file, empty, before anything reads it: the job that decodes the upload starts before the
     * first byte arrives and must find the file there.
     */
    static UploadPipe create(final Path file) throws IOException
    {
        return new UploadPipe(file, Files.newOutputStream(PrivateFiles.create(file)));
    }

    Path file()
    {
        return file;
    }

    /** Where the receiver writes; closing it does not complete the upload ({@link #complete()} does). */
    OutputStream output()
    {
        return new OutputStream()
        {
            @Override
            public void write(final int b) throws IOException
            {
                write(new byte[] {(byte)b}, 0, 1);
            }

            @Override
            public void write(final byte[] bytes, final int offset, final int length) throws IOException
            {
                out.write(bytes, offset, length);
                out.flush();
                synchronized (lock)
                {
                    written += length;
                    lock.notifyAll();
                }
            }

            @Override
            public void close() throws IOException
            {
                out.close();
            }
        };
    }

    void complete()
    {
        synchronized (lock)
        {
            complete = true;
            lock.notifyAll();
        }
    }

    void fail()
    {
        synchronized (lock)
        {
            failed = true;
            lock.notifyAll();
        }
    }

    /** Bytes received so far. */
    long written()
    {
        synchronized (lock)
        {
            return written;
        }
    }

    /** Blocks until the upload completed (true) or failed (false). */
    boolean awaitEnd() throws InterruptedException
    {
        synchronized (lock)
        {
            while (!complete && !failed)
            {
                lock.wait();
            }
            return complete;
        }
    }

    /** A sequential reader from the start of the upload; not seekable. */
    InputStream input() throws IOException
    {
        return new Reader(new RandomAccessFile(file.toFile(), "r"), -1);
    }

    /**
     * A reader that can seek anywhere in the upload's declared {@code size}, for containers read out of order (an MP4
     * whose samples the demuxer fetches where its index says): a seek past what has arrived is instant, and the read
     * there waits for those bytes. JavaCV seeks an {@link InputStream} with {@code reset()} (to the start) and
     * {@code skip(n)}, and finds
     * the size by skipping to the end, so those three are what this reader implements.
     */
    InputStream seekableInput(final long size) throws IOException
    {
        return new Reader(new RandomAccessFile(file.toFile(), "r"), size);
    }

    private final class Reader extends InputStream
    {
        private final RandomAccessFile reader;
        /** The declared size, -1 for a reader that cannot seek. */
        private final long size;
        private long position;

        private Reader(final RandomAccessFile reader, final long size)
        {
            this.reader = reader;
            this.size = size;
        }

        @Override
        public int read() throws IOException
        {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] bytes, final int offset, final int length) throws IOException
        {
            if (length == 0)
            {
                return 0;
            }
            if (size >= 0 && position >= size)
            {
                return -1;
            }
            final long available = awaitBeyond(position);
            if (available <= position)
            {
                return -1;
            }
            reader.seek(position);
            final int read = reader.read(bytes, offset, (int)Math.min(length, available - position));
            if (read > 0)
            {
                position += read;
            }
            return read;
        }

        @Override
        public boolean markSupported()
        {
            return size >= 0;
        }

        @Override
        public void mark(final int limit)
        {
            // reset() always goes back to the start of the upload, which is what JavaCV marks
        }

        @Override
        public void reset() throws IOException
        {
            if (size < 0)
            {
                throw new IOException("this reader of the upload cannot seek");
            }
            position = 0;
        }

        @Override
        public long skip(final long n) throws IOException
        {
            if (size < 0)
            {
                return super.skip(n);
            }
            final long skipped = Math.max(0, Math.min(n, size - position));
            position += skipped;
            return skipped;
        }

        @Override
        public void close() throws IOException
        {
            reader.close();
        }
    }

    /** @return bytes written once more than {@code position} are there, or the final size at the end. */
    private long awaitBeyond(final long position) throws IOException
    {
        synchronized (lock)
        {
            while (written <= position && !complete)
            {
                if (failed)
                {
                    throw new IOException("the upload failed");
                }
                try
                {
                    lock.wait();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the upload");
                }
            }
            if (failed)
            {
                throw new IOException("the upload failed");
            }
            return written;
        }
    }
}
