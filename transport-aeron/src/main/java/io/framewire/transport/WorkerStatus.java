package io.framewire.transport;

/** A worker as the server last saw it, for metrics. */
public record WorkerStatus(int workerId, long processId, boolean embedded, int credits, int inFlight,
    long framesDone, long cpuNanos, long heartbeatAgeMs)
{
}
