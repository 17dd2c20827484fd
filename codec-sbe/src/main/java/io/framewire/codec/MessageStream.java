package io.framewire.codec;

import io.framewire.codec.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Length-prefixed messages over a byte stream (the client's TCP connection).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            payload length (uint32, big-endian)                |
 *  +---------------------------------------------------------------+
 *  |  payload: '{' ... '}' UTF-8 JSON, or an SBE message           ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A payload that starts with {@code '{'} is JSON; anything else must be an SBE message of the framewire schema.
 * The receive buffer is reused, so reading allocates nothing once it has grown to the largest message. Writes are
 * synchronized, so one thread may send while another reads and writes (each message goes out whole); reads are
 * for one thread.
 */
public final class MessageStream implements AutoCloseable
{
    private final DataInputStream in;
    private final DataOutputStream out;
    private final int maxMessageBytes;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[0]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final byte[] lengthPrefix = new byte[4];
    private byte[] receiveBytes = new byte[64 * 1024];
    private int length;
    private long messageDeadlineNs = Long.MAX_VALUE;

    public MessageStream(final InputStream in, final OutputStream out, final int maxMessageBytes)
    {
        this.in = new DataInputStream(new BufferedInputStream(in, 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(out, 64 * 1024));
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Block until the next message has been read.
     *
     * @throws EOFException      when the connection ends, between messages or inside one.
     * @throws ProtocolException when the length is zero or over the limit, or a message takes too long.
     */
    public void read() throws IOException
    {
        read(maxMessageBytes);
    }

    /** Like {@link #read()}, with a lower size limit for this message (e.g. the handshake). */
    public void read(final int limit) throws IOException
    {
        final int messageLength = in.readInt();
        final int max = Math.min(limit, maxMessageBytes);
        final long startNs = System.nanoTime();
        if (messageLength <= 0 || messageLength > max)
        {
            throw new ProtocolException(
                // The prefix is unsigned: 2^31 and up read as negative here, and are as much too large.
                messageLength == 0 ? ErrorCode.BAD_MESSAGE : ErrorCode.MESSAGE_TOO_LARGE,
                "message length " + Integer.toUnsignedLong(messageLength) + " is outside 1.." + max);
        }
        if (receiveBytes.length < messageLength)
        {
            receiveBytes = new byte[Math.max(messageLength, receiveBytes.length * 2)];
        }
        int read = 0;
        while (read < messageLength)
        {
            final int n = in.read(receiveBytes, read, messageLength - read);
            if (n < 0)
            {
                // A cut connection, as between messages: the peer may come back (a resume) for what was cut off.
                throw new EOFException("connection closed inside a message");
            }
            read += n;
            // A peer that trickles bytes never trips the socket's idle timeout; this bounds a whole message.
            if (read < messageLength && System.nanoTime() - startNs > messageDeadlineNs)
            {
                throw new ProtocolException(ErrorCode.BAD_MESSAGE, "message of " + messageLength + " bytes not " +
                    "complete after " + messageDeadlineNs / 1_000_000_000L + " s (" + read + " bytes arrived)");
            }
        }
        length = messageLength;
        payload.wrap(receiveBytes, 0, messageLength);
    }

    /** The longest a single message may take to arrive once its length has. */
    public void messageDeadline(final Duration deadline)
    {
        messageDeadlineNs = deadline.toNanos();
    }

    public boolean isJson()
    {
        return length > 0 && receiveBytes[0] == '{';
    }

    /** The last message read, decoded as JSON. */
    public ControlMessage json() throws ProtocolException
    {
        if (!isJson())
        {
            throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "expected a JSON message");
        }
        return JsonMessages.decode(receiveBytes, 0, length);
    }

    /** Validates the last message's SBE header and returns its template id. */
    public int sbeTemplateId() throws ProtocolException
    {
        return SbeMessages.templateId(header, payload, 0, length);
    }

    /** The last message read; valid until the next {@link #read()}. */
    public DirectBuffer payload()
    {
        return payload;
    }

    public int length()
    {
        return length;
    }

    public synchronized void write(final ControlMessage message) throws IOException
    {
        final byte[] bytes = JsonMessages.encode(message);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    public synchronized void write(final DirectBuffer buffer, final int offset, final int messageLength)
        throws IOException
    {
        out.writeInt(messageLength);
        final byte[] array = buffer.byteArray();
        if (array == null)
        {
            throw new IllegalArgumentException("buffer must be backed by a byte[]");
        }
        out.write(array, buffer.wrapAdjustment() + offset,
            messageLength);
    }

    public synchronized void flush() throws IOException
    {
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            out.flush();
        }
        finally
        {
            in.close();
            out.close();
        }
    }
}
