package io.framewire.server.net;

import io.framewire.codec.ControlMessage;
import io.framewire.codec.FileChunkWriter;
import io.framewire.codec.MessageStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.Arrays;

/**
 * The output file as the muxer writes it, in chunks of up to 1 MiB: a sender thread writes each chunk to the output
 * file (for the preview) and to the client as a {@code FileChunk}, while encoding goes on. The encoder never does
 * file or socket I/O itself; a slow client slows it only once 16 chunks wait. No byte the muxer wrote waits more than
 * 200 ms for the ones after it, so a live viewer gets each fragment whole as soon as it is written. Between chunks the
 * sender reports the job's {@code progress} twice a second. The job does not need its client: when the connection
 * breaks the sender goes on writing the file alone, and a client resuming the job on a
 * new connection is {@linkplain #attach attached}: sent what it lacks from the file, then the rest live.
 */
final class OutputStreamer extends OutputStream
{
    private static final Logger LOG = LoggerFactory.getLogger(OutputStreamer.class);
    private static final int CHUNK_BYTES = 1024 * 1024;
    private static final byte[] END = new byte[0];
    private static final long PROGRESS_INTERVAL_NS = 500_000_000L;
    private static final long MAX_HOLD_NS = 200_000_000L;

    private final Path output;
    private final OutputStream file;
    private final long stallTimeoutNs;
    private volatile MessageStream stream;
    private final Object attachLock = new Object();
    private Attach attachRequest;
    private boolean ended;
    private final Supplier<ControlMessage.Progress> progress;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(16);
    private final byte[] pending = new byte[CHUNK_BYTES];
    private final Thread sender;
    /** Guards {@link #pending}: the muxer fills it, the sender takes what has waited too long. */
    private final ReentrantLock pendingLock = new ReentrantLock();
    private int pendingLength;
    private long pendingSinceNs;
    private volatile IOException sendFailure;
    private volatile String sha256;
    private volatile long written;
    /** Sender thread (after the constructor): the SHA-256 of the output so far. */
    private final MessageDigest digest;
    private volatile ControlMessage.Notice notice;
    private boolean closed;
    /** Sender thread: the next chunk's number on the client's connection (each connection counts from 0). */
    private long sequence;
    /** Sender thread: how many bytes of the output the attached client has. */
    private long clientHas;

    private record Attach(MessageStream stream, long offset)
    {
    }

    /** @param stallTimeoutMs a client that takes nothing for this long is disconnected. */
    OutputStreamer(final Path output, final MessageStream stream, final Supplier<ControlMessage.Progress> progress,
        final long stallTimeoutMs) throws IOException
    {
        this(output, 0, stream, progress, stallTimeoutMs);
    }

    /**
     * @param kept the output's first bytes already in {@code output} (a job carried on from them); what the muxer
     *             writes comes after them. 0: a new output file.
     */
    OutputStreamer(final Path output, final long kept, final MessageStream stream,
        final Supplier<ControlMessage.Progress> progress, final long stallTimeoutMs) throws IOException
    {
        this.output = output;
        this.digest = sha256();
        if (kept > 0)
        {
            try (InputStream in = Files.newInputStream(output))
            {
                final byte[] part = new byte[CHUNK_BYTES];
                long left = kept;
                while (left > 0)
                {
                    final int n = in.readNBytes(part, 0, (int)Math.min(part.length, left));
                    if (n <= 0)
                    {
                        throw new IOException(output + " is shorter than the " + kept + " bytes kept of it");
                    }
                    digest.update(part, 0, n);
                    left -= n;
                }
            }
            this.written = kept;
            this.file = Files.newOutputStream(output, StandardOpenOption.APPEND);
        }
        else
        {
            this.file = Files.newOutputStream(PrivateFiles.create(output));
        }
        this.stream = stream;
        this.stallTimeoutNs = TimeUnit.MILLISECONDS.toNanos(stallTimeoutMs);
        this.progress = progress;
        this.sender = Thread.ofVirtual().name("output-sender").start(this::send);
    }

    @Override
    public void write(final int b) throws IOException
    {
        write(new byte[] {(byte)b}, 0, 1);
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length) throws IOException
    {
        pendingLock.lock();
        try
        {
            int done = 0;
            while (done < length)
            {
                if (pendingLength == 0)
                {
                    pendingSinceNs = System.nanoTime();
                }
                final int n = Math.min(length - done, CHUNK_BYTES - pendingLength);
                System.arraycopy(bytes, offset + done, pending, pendingLength, n);
                pendingLength += n;
                done += n;
                if (pendingLength == CHUNK_BYTES)
                {
                    flushChunk();
                }
            }
        }
        finally
        {
            pendingLock.unlock();
        }
    }

    @Override
    public void flush() throws IOException
    {
        pendingLock.lock();
        try
        {
            if (pendingLength > 0)
            {
                flushChunk();
            }
        }
        finally
        {
            pendingLock.unlock();
        }
    }

    /** With {@link #pendingLock} held. */
    private void flushChunk() throws IOException
    {
        enqueue(Arrays.copyOf(pending, pendingLength));
        pendingLength = 0;
    }

    /**
     * The sender's side of the hold limit: the muxer writes a fragment at a time and then nothing until the next
     * one (a GOP later), so the tail of a fragment is queued by the sender once it has waited {@link #MAX_HOLD_NS},
     * not by the next write. Skipped while the muxer is writing (it holds the lock) or chunks wait to be sent.
     */
    private void queueHeldBytes()
    {
        if (!chunks.isEmpty() || !pendingLock.tryLock())
        {
            return;
        }
        try
        {
            if (pendingLength > 0 && System.nanoTime() - pendingSinceNs >= MAX_HOLD_NS && chunks.isEmpty() &&
                chunks.offer(Arrays.copyOf(pending, pendingLength)))
            {
                pendingLength = 0;
            }
        }
        finally
        {
            pendingLock.unlock();
        }
    }

    private void enqueue(final byte[] chunk) throws IOException
    {
        final long startNs = System.nanoTime();
        if (sendFailure != null)
        {
            throw new IOException("sending the output failed", sendFailure); // the job stops at once
        }
        try
        {
            while (!chunks.offer(chunk, 100, TimeUnit.MILLISECONDS))
            {
                if (sendFailure != null || !sender.isAlive())
                {
                    throw new IOException("sending the output failed", sendFailure);
                }
                if (System.nanoTime() - startNs > stallTimeoutNs)
                {
                    // Socket writes have no timeout: a client that stops reading would hold the job forever.
                    final MessageStream client = stream;
                    if (client != null)
                    {
                        client.close();
                    }
                    throw new IOException("the client took no output for " +
                        TimeUnit.NANOSECONDS.toSeconds(stallTimeoutNs) + " s; disconnected");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending the output", ex);
        }
    }

    /** The muxer is done: sends what is left and ends the stream of chunks (the {@code eof} follows separately). */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        pendingLock.lock();
        try
        {
            if (pendingLength > 0)
            {
                flushChunk();
            }
            enqueue(END);
        }
        finally
        {
            pendingLock.unlock();
        }
    }

    /**
     * Waits for every chunk to be written and sent, then sends {@code eof} to the client attached, if any.
     *
     * @return the output's SHA-256.
     */
    String finish() throws IOException, InterruptedException
    {
        close();
        sender.join();
        if (sendFailure != null)
        {
            throw sendFailure;
        }
        final MessageStream client = stream;
        if (client != null)
        {
            try
            {
                client.write(new ControlMessage.Eof(written, sha256));
                client.flush();
            }
            catch (final IOException ex)
            {
                stream = null; // gone at the last moment: the output is kept for a resume
            }
        }
        return sha256;
    }

    /** The client's connection the output goes to now; null while none is (it broke, and none resumed yet). */
    MessageStream clientStream()
    {
        return stream;
    }

    /**
     * A client resuming the job on a new connection, holding the output's first {@code offset} bytes: the sender
     * sends it the rest of what was written, then goes on live.
     *
     * @return false when the output is complete already: the job's end is then for the caller to deliver.
     */
    boolean attach(final MessageStream client, final long offset)
    {
        synchronized (attachLock)
        {
            if (ended)
            {
                return false;
            }
            attachRequest = new Attach(client, offset);
            return true;
        }
    }

    /** Tells the client something about its job: sent by the sender thread, between chunks, within 50 ms. */
    void notice(final ControlMessage.Notice message)
    {
        notice = message;
    }

    /** Stops the sender without an {@code eof}; for failed jobs. */
    void abort()
    {
        sender.interrupt();
        try
        {
            file.close();
        }
        catch (final IOException ignored)
        {
            // the job failed already
        }
    }

    private void send()
    {
        final FileChunkWriter chunkWriter = new FileChunkWriter(CHUNK_BYTES);
        long nextProgressNs = System.nanoTime();
        try
        {
            while (true)
            {
                queueHeldBytes();
                final byte[] chunk = chunks.poll(MAX_HOLD_NS / 4, TimeUnit.NANOSECONDS);
                attachIfAsked(chunkWriter);
                final ControlMessage.Notice toSend = notice;
                if (toSend != null)
                {
                    notice = null;
                    toClient(client -> client.write(toSend));
                }
                if (System.nanoTime() >= nextProgressNs)
                {
                    nextProgressNs = System.nanoTime() + PROGRESS_INTERVAL_NS;
                    final ControlMessage.Progress now = progress.get();
                    if (now != null)
                    {
                        toClient(client -> client.write(now));
                    }
                }
                if (chunk == null)
                {
                    continue;
                }
                if (chunk == END)
                {
                    file.close();
                    sha256 = HexFormat.of().formatHex(digest.digest());
                    while (true)
                    {
                        synchronized (attachLock)
                        {
                            if (attachRequest == null)
                            {
                                ended = true;
                                return;
                            }
                        }
                        attachIfAsked(chunkWriter);
                    }
                }
                file.write(chunk);
                file.flush();
                digest.update(chunk);
                final long start = written;
                written += chunk.length;
                // A client that resumed holding more than was written (the job was run again) gets what follows.
                final int skip = (int)Math.max(0, Math.min(chunk.length, clientHas - start));
                if (skip < chunk.length)
                {
                    final byte[] tail = skip == 0 ? chunk : Arrays.copyOfRange(chunk, skip, chunk.length);
                    toClient(client -> chunkWriter.write(client, sequence++, tail, tail.length));
                    clientHas = written;
                }
            }
        }
        catch (final IOException ex)
        {
            sendFailure = ex;
        }
        catch (final InterruptedException ex)
        {
            sendFailure = new IOException("output sending interrupted");
        }
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private interface ClientWrite
    {
        void to(MessageStream client) throws IOException;
    }

    /**
     * Writes to the client, if one is attached. When that fails the client is let go and the job goes on (a
     * connection broken during the upload breaks the upload too, and the session suspends the job).
     */
    private void toClient(final ClientWrite write) throws IOException
    {
        final MessageStream client = stream;
        if (client == null)
        {
            return;
        }
        try
        {
            write.to(client);
            client.flush();
        }
        catch (final IOException ex)
        {
            stream = null;
            sequence = 0;
            LOG.info("{}: the client's connection broke ({}); the job goes on, its output kept for a resume",
                output.getFileName(), ex.getMessage());
        }
    }

    /** A resuming client: what it lacks of the file so far, then it takes the live chunks. */
    private void attachIfAsked(final FileChunkWriter chunkWriter) throws IOException
    {
        final Attach attach;
        synchronized (attachLock)
        {
            attach = attachRequest;
            attachRequest = null;
        }
        if (attach == null)
        {
            return;
        }
        final MessageStream previous = stream;
        if (previous != null)
        {
            previous.close(); // one client per job: the newest
        }
        stream = attach.stream();
        sequence = 0;
        clientHas = attach.offset();
        final byte[] part = new byte[CHUNK_BYTES];
        try (InputStream in = Files.newInputStream(output))
        {
            in.skipNBytes(Math.min(attach.offset(), written));
            long left = written - Math.min(attach.offset(), written);
            clientHas = Math.max(clientHas, written);
            while (left > 0)
            {
                final int n = in.readNBytes(part, 0, (int)Math.min(part.length, left));
                if (n <= 0)
                {
                    break;
                }
                left -= n;
                toClient(client -> chunkWriter.write(client, sequence++, part, n));
            }
        }
    }
}
