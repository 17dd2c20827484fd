package io.framewire.transport;

import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
import io.framewire.codec.sbe.WorkerHeartbeatEncoder;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The secret workers on other hosts prove when they join (--worker-secret-file, the same file on the server and the
 * workers): a heartbeat carries an HMAC-SHA256 of who the worker is, where it takes tasks and when it was sent; the
 * server takes only heartbeats whose HMAC checks and which are at most {@link #MAX_AGE_MS} old or early. Aeron's
 * UDP is not encrypted: the frames themselves still need a private network or a tunnel.
 */
public final class WorkerSecret
{
    /** How far a heartbeat's time may be from the server's clock: it bounds replays, and allows for clock skew. */
    public static final long MAX_AGE_MS = 30_000;
    /** Shortest secret accepted, in bytes of the file's text. */
    public static final int MIN_LENGTH = 32;

    private final Mac mac;
    private final ByteBuffer message = ByteBuffer.allocate(256);
    private final byte[] expected = new byte[WorkerHeartbeatEncoder.macLength()];

    private WorkerSecret(final byte[] key)
    {
        try
        {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The secret in {@code file}: its text, trimmed; at least {@link #MIN_LENGTH} bytes. */
    public static WorkerSecret load(final Path file) throws IOException
    {
        if (!Files.isReadable(file))
        {
            throw new IOException(file + ": no such file, or not readable");
        }
        final byte[] key = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_LENGTH)
        {
            throw new IOException(file + " holds " + key.length + " bytes; a worker secret needs at least " +
                MIN_LENGTH + " (e.g. head -c 32 /dev/urandom | base64 > " + file + ")");
        }
        return new WorkerSecret(key);
    }

    /** Signs a heartbeat encoded up to its task endpoint: sets its time and its HMAC. */
    synchronized void sign(final WorkerHeartbeatEncoder heartbeat, final int workerId, final long processId,
        final String taskEndpoint, final long nowMs)
    {
        heartbeat.sentAtMs(nowMs);
        final byte[] signature = compute(workerId, processId, taskEndpoint, nowMs);
        heartbeat.putMac(signature, 0, signature.length);
    }

    /** Whether a heartbeat is signed with this secret and fresh at {@code nowMs}. */
    public synchronized boolean verify(final WorkerHeartbeatDecoder heartbeat, final String taskEndpoint,
        final long nowMs)
    {
        final long sentAtMs = heartbeat.sentAtMs();
        if (Math.abs(nowMs - sentAtMs) > MAX_AGE_MS)
        {
            return false;
        }
        final byte[] signature = compute(heartbeat.workerId(), heartbeat.processId(), taskEndpoint, sentAtMs);
        heartbeat.getMac(expected, 0, expected.length);
        return MessageDigest.isEqual(signature, expected);
    }

    private byte[] compute(final int workerId, final long processId, final String taskEndpoint, final long atMs)
    {
        message.clear();
        message.putInt(workerId).putLong(processId).putLong(atMs).put(taskEndpoint.getBytes(StandardCharsets.UTF_8));
        message.flip();
        mac.update(message);
        return mac.doFinal();
    }
}
