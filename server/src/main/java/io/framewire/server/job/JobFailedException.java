package io.framewire.server.job;

import io.framewire.codec.ErrorCode;

/** A job that could not produce its output; the client is told {@link #code()} and the message. */
public final class JobFailedException extends Exception
{
    private final ErrorCode code;

    public JobFailedException(final ErrorCode code, final String message)
    {
        super(message);
        this.code = code;
    }

    public JobFailedException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code()
    {
        return code;
    }
}
