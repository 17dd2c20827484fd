package io.framewire.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuietIdleStrategyTest
{
    @Test
    void parksLongOnlyAfterEnoughIdleCallsInARowAndWakesUpOnWork()
    {
        final QuietIdleStrategy idle = new QuietIdleStrategy(new BackoffIdleStrategy(1, 1, 1, 1), 5, 1);
        for (int i = 0; i < 4; i++)
        {
            idle.idle(0);
        }
        assertFalse(idle.quiet(), "4 idle calls of 5");
        idle.idle(1);
        for (int i = 0; i < 4; i++)
        {
            idle.idle(0);
        }
        assertFalse(idle.quiet(), "work in between starts the count again");
        idle.idle(0);
        assertTrue(idle.quiet(), "5 idle calls in a row");
        idle.idle(0);
        assertTrue(idle.quiet());
        idle.idle(3);
        assertFalse(idle.quiet(), "work ends the quiet at once");
    }
}
