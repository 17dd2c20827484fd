package io.framewire.transport;

/**
 * A rate limit: up to {@code ratePerSecond} takes per second, with bursts of at most one second's worth.
 * A rate of 0 means no limit. Not thread-safe: each worker's bucket is used from the dispatch thread only.
 */
public final class TokenBucket
{
    private final double ratePerNs;
    private final double capacity;
    private double tokens;
    private long lastNs;

    public TokenBucket(final double ratePerSecond, final long nowNs)
    {
        this.ratePerNs = ratePerSecond / 1e9;
        this.capacity = Math.max(1, ratePerSecond);
        this.tokens = capacity;
        this.lastNs = nowNs;
    }

    /** @return true, taking a token, when one is available at {@code nowNs}. */
    public boolean tryTake(final long nowNs)
    {
        if (ratePerNs == 0)
        {
            return true;
        }
        refill(nowNs);
        if (tokens >= 1)
        {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** @return whether a token is available, taking none. */
    public boolean available(final long nowNs)
    {
        if (ratePerNs == 0)
        {
            return true;
        }
        refill(nowNs);
        return tokens >= 1;
    }

    private void refill(final long nowNs)
    {
        tokens = Math.min(capacity, tokens + (nowNs - lastNs) * ratePerNs);
        lastNs = nowNs;
    }
}
