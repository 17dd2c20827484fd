package io.framewire.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

final class Sha256
{
    private Sha256()
    {
    }

    static MessageDigest newDigest()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JVM has SHA-256", ex);
        }
    }
}
