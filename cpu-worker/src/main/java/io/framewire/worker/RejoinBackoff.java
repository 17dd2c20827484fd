package io.framewire.worker;

/**
 * How long a worker that lost its media driver waits between tries to join again: 500 ms, doubling to at most 5 s;
 * each loss starts a new one.
 */
final class RejoinBackoff
{
    static final long FIRST_MS = 500;
    static final long MAX_MS = 5_000;

    private long nextMs = FIRST_MS;

    /** The wait before the next try; each call doubles the one after, up to {@link #MAX_MS}. */
    long nextDelayMs()
    {
        final long delay = nextMs;
        nextMs = Math.min(MAX_MS, nextMs * 2);
        return delay;
    }
}
