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
        return new UploadPipe(file, Files.newOutputStream(file));
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
        final RandomAccessFile reader = new RandomAccessFile(file.toFile(), "r");
        return new InputStream()
        {
            private long position;

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
            public void close() throws IOException
            {
                reader.close();
            }
        };
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
