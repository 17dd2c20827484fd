package io.framewire.codec;

import java.io.IOException;

/**
 * A message that breaks the protocol: garbage, truncation, an unknown type, a bad checksum. Carries the
 * {@link ErrorCode} the peer is told.
 */
public final class ProtocolException extends IOException
{
    private final ErrorCode code;

    public ProtocolException(final ErrorCode code, final String message)
    {
        super(message);
        this.code = code;
    }

    public ProtocolException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code()
    {
        return code;
    }
}
