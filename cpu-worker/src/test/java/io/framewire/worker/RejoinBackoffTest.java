package io.framewire.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RejoinBackoffTest
{
    @Test
    void theWaitDoublesFromHalfASecondToFiveSeconds()
    {
        final RejoinBackoff backoff = new RejoinBackoff();
        assertEquals(500, backoff.nextDelayMs());
        assertEquals(1_000, backoff.nextDelayMs());
        assertEquals(2_000, backoff.nextDelayMs());
        assertEquals(4_000, backoff.nextDelayMs());
        assertEquals(5_000, backoff.nextDelayMs());
        assertEquals(5_000, backoff.nextDelayMs(), "capped");
    }
}
