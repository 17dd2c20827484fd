package io.framewire.server.net;

import io.framewire.codec.ControlMessage;
import io.framewire.codec.MessageStream;
import io.framewire.codec.sbe.FileChunkEncoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import java.util.Arrays;

/**
 * The output file as the muxer writes it, in chunks of up to 1 MiB: a sender thread writes each chunk to the output
 * file (for the preview) and to the client as a {@code FileChunk}, while encoding goes on. The encoder never does
 * file or socket I/O itself; a slow client slows it only once 16 chunks wait. No byte the muxer wrote waits more than
 * 200 ms for the ones after it, so a live viewer gets each fragment whole as soon as it is written. Between chunks the
 * sender reports the job's {@code progress} twice a second.
 */
final class OutputStreamer extends OutputStream
{
    private static final int CHUNK_BYTES = 1024 * 1024;
    private static final byte[] END = new byte[0];
    private static final long PROGRESS_INTERVAL_NS = 500_000_000L;
    private static final long MAX_HOLD_NS = 200_000_000L;

    private final OutputStream file;
    private final long stallTimeoutNs;
    private final MessageStream stream;
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
    private volatile long sent;
    private volatile ControlMessage.Notice notice;
    private boolean closed;
    private final Runnable onClientLost;

    /**
     * @param stallTimeoutMs a client that takes nothing for this long is disconnected.
     * @param onClientLost   told once, from the sender thread, when writing to the client failed.
     */
    OutputStreamer(final Path output, final MessageStream stream, final Supplier<ControlMessage.Progress> progress,
        final long stallTimeoutMs, final Runnable onClientLost) throws IOException
    {
        this.onClientLost = onClientLost;
        this.file = Files.newOutputStream(PrivateFiles.create(output));
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
                    stream.close();
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
     * Wait for every chunk to be sent, then send {@code eof}.
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
        stream.write(new ControlMessage.Eof(sent, sha256));
        stream.flush();
        return sha256;
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
        final MessageDigest digest;
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
        final CRC32C crc = new CRC32C();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(CHUNK_BYTES + 64);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final FileChunkEncoder encoder = new FileChunkEncoder();
        long sequence = 0;
        long nextProgressNs = System.nanoTime();
        try
        {
            while (true)
            {
                queueHeldBytes();
                final byte[] chunk = chunks.poll(MAX_HOLD_NS / 4, TimeUnit.NANOSECONDS);
                final ControlMessage.Notice toSend = notice;
                if (toSend != null)
                {
                    notice = null;
                    stream.write(toSend);
                    stream.flush();
                }
                if (System.nanoTime() >= nextProgressNs)
                {
                    nextProgressNs = System.nanoTime() + PROGRESS_INTERVAL_NS;
                    final ControlMessage.Progress now = progress.get();
                    if (now != null)
                    {
                        stream.write(now);
                        stream.flush();
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
                    return;
                }
                file.write(chunk);
                file.flush();
                crc.reset();
                crc.update(chunk);
                digest.update(chunk);
                encoder.wrapAndApplyHeader(buffer, 0, header)
                    .sequence(sequence++)
                    .crc32c(crc.getValue())
                    .putData(chunk, 0, chunk.length);
                stream.write(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
                stream.flush();
                sent += chunk.length;
            }
        }
        catch (final IOException ex)
        {
            sendFailure = ex;
            onClientLost.run();
        }
        catch (final InterruptedException ex)
        {
            sendFailure = new IOException("output sending interrupted");
        }
    }
}
