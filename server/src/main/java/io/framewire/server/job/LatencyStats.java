package io.framewire.server.job;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Per-frame latencies written by one thread and read live by others: the writer records wait-free into an
 * HdrHistogram recorder; readers fold its intervals into a running histogram and get a copy.
 */
public final class LatencyStats
{
    private static final long MAX_NS = 3_600_000_000_000L;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(MAX_NS, 3);
    private final Histogram total = new Histogram(MAX_NS, 3);
    private Histogram interval;

    /** Writer thread only. */
    public void record(final long nanos)
    {
        recorder.recordValue(Math.min(MAX_NS, Math.max(0, nanos)));
    }

    /** Any thread: everything recorded so far. */
    public synchronized Histogram snapshot()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return total.copy();
    }
}
