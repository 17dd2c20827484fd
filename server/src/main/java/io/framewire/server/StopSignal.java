package io.framewire.server;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * SIGINT and SIGTERM as a request to stop, handled instead of the JVM's default (which runs the shutdown hooks and
 * halts): the server drains its jobs, closes in order and exits 0. Agrona's {@code ShutdownSignalBarrier} waits 10 s
 * at most in a shutdown hook, too short a drain, and ends with the signal's exit status.
 */
final class StopSignal
{
    private final CountDownLatch signalled = new CountDownLatch(1);
    private volatile String name;

    StopSignal()
    {
        for (final String signal : new String[] {"INT", "TERM"})
        {
            Signal.handle(new Signal(signal), received ->
            {
                name = "SIG" + received.getName();
                signalled.countDown();
            });
        }
    }

    /** Waits for a signal; returns its name. */
    String await() throws InterruptedException
    {
        signalled.await();
        return name;
    }
}
