package io.framewire.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest
{
    @Test
    void allowsTheRateAndABurstOfOneSecond()
    {
        final TokenBucket bucket = new TokenBucket(64, 0);
        int taken = 0;
        while (bucket.tryTake(0))
        {
            taken++;
        }
        assertEquals(64, taken, "a full second's burst");
        assertFalse(bucket.available(0));
        assertFalse(bucket.tryTake(10_000_000), "10 ms refill 0.64 tokens");
        assertTrue(bucket.tryTake(16_000_000), "16 ms refill one token");
        int inASecond = 0;
        for (long t = 16_000_000; t <= 1_016_000_000; t += 1_000_000)
        {
            if (bucket.tryTake(t))
            {
                inASecond++;
            }
        }
        assertTrue(inASecond >= 63 && inASecond <= 65, "about 64 per second: " + inASecond);
    }

    @Test
    void zeroMeansNoLimit()
    {
        final TokenBucket bucket = new TokenBucket(0, 0);
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(bucket.tryTake(0));
        }
    }
}
