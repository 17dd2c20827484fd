package io.framewire.server.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random secrets handed out by the server (client tokens, job view tokens) and the hashes it keeps of them
 * instead: a secret is compared only as its SHA-256, in constant time.
 */
public final class Secrets
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets()
    {
    }

    /** {@code bits} random bits, base64url without padding, after {@code prefix}. */
    public static String newSecret(final String prefix, final int bits)
    {
        final byte[] random = new byte[bits / 8];
        RANDOM.nextBytes(random);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** A random positive 63-bit number: job ids, which a caller must not be able to guess or count through. */
    public static long randomId()
    {
        long id;
        do
        {
            id = RANDOM.nextLong() >>> 1;
        }
        while (id == 0);
        return id;
    }

    public static byte[] sha256(final String secret)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Whether {@code secret} hashes to {@code hash}, in time that does not depend on where they differ. */
    public static boolean matches(final byte[] hash, final String secret)
    {
        return secret != null && !secret.isEmpty() && MessageDigest.isEqual(hash, sha256(secret));
    }
}
