package io.framewire.codec;

import java.io.IOException;

/** The peer sent an {@code error} message. */
public final class RemoteErrorException extends IOException
{
    private final String code;

    public RemoteErrorException(final String code, final String message)
    {
        super(code + ": " + message);
        this.code = code;
    }

    public String code()
    {
        return code;
    }
}
