package io.framewire.worker.filter;

/** A processing type, filter, parameter or value that does not exist or is out of range; the message names it. */
public final class FilterSpecException extends Exception
{
    /** What was wrong, so the server can pick the error code. */
    public enum Kind
    {
        UNKNOWN_PROCESSING, UNKNOWN_FILTER, BAD_PARAMETER
    }

    private final Kind kind;

    public FilterSpecException(final Kind kind, final String message)
    {
        super(message);
        this.kind = kind;
    }

    public Kind kind()
    {
        return kind;
    }
}
