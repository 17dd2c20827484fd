package io.framewire.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Agrona's backoff (spin, yield, park up to a short limit) while work comes and goes, and long parks once nothing has
 * happened for a while: a server or worker with no job would otherwise wake thousands of times a second for nothing
 * (docs/perf.md, "Idling"). The first frame after a quiet spell waits at most one long park.
 */
public final class QuietIdleStrategy implements IdleStrategy
{
    private final BackoffIdleStrategy backoff;
    private final int quietAfterIdles;
    private final long quietParkNs;
    private int idlesInARow;

    /**
     * @param backoff         the strategy while busy.
     * @param quietAfterIdles idle calls in a row with no work after which the thread counts as quiet.
     * @param quietParkNs     how long a quiet thread parks per idle call.
     */
    public QuietIdleStrategy(final BackoffIdleStrategy backoff, final int quietAfterIdles, final long quietParkNs)
    {
        this.backoff = backoff;
        this.quietAfterIdles = quietAfterIdles;
        this.quietParkNs = quietParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (quiet())
        {
            LockSupport.parkNanos(quietParkNs);
            return;
        }
        idlesInARow++;
        backoff.idle();
    }

    /** Whether the thread has been idle long enough to park long. */
    public boolean quiet()
    {
        return idlesInARow >= quietAfterIdles;
    }

    @Override
    public void reset()
    {
        idlesInARow = 0;
        backoff.reset();
    }

    @Override
    public String alias()
    {
        return "quiet-backoff";
    }
}
