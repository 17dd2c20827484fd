package io.framewire.client;

/** Exit statuses of {@code framewire client}, listed in its --help and in README.md. */
public final class ExitCode
{
    public static final int OK = 0;
    public static final int IO_ERROR = 1;
    public static final int USAGE = 2;
    public static final int CANNOT_CONNECT = 3;
    public static final int SERVER_ERROR = 4;
    public static final int CHECKSUM = 5;
    /** The input is damaged or cut short: the output holds every frame that decoded, and is saved. */
    public static final int INCOMPLETE = 6;
    /** The connection to the server broke mid-job: it crashed, restarted, or the network dropped. */
    public static final int CONNECTION_LOST = 7;
    public static final int INTERRUPTED = 130;

    private ExitCode()
    {
    }
}
