package io.framewire.server.job;

import io.framewire.transport.FrameOutcome;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;

/**
 * A job's measurements: latencies, attempts, detections, filter times and each worker's share. The result
 * side is written by the dispatch thread, {@link #onEncoded} by the encoder; counters read by the live metrics are
 * volatile, the rest is read once the job is finished.
 */
public final class JobStats
{
    /** Most detections kept for the result message; the count goes on past it. */
    public static final int MAX_REPORTED_DETECTIONS = 10_000;

    private final LatencyStats dispatchToResult = new LatencyStats();
    private final LatencyStats decodeToEncode = new LatencyStats();
    private final long[] completedAfterAttempts = new long[FrameSlots.MAX_ATTEMPTS + 1];
    private final Int2ObjectHashMap<WorkerShare> workerShares = new Int2ObjectHashMap<>();
    private final IntArrayList detections = new IntArrayList();
    private volatile long completed;
    private volatile long detectionsTotal;
    private volatile long firstEncodedNs;
    private long filterNsTotal;
    private long filterNsMax;
    private long workerMemoryMax;

    /** Dispatch thread: a frame's result arrived after {@code attempts} attempts. */
    public void onResult(final int attempts, final int workerId, final long workerPid, final long latencyNs,
        final long filterNs, final long memoryBytes)
    {
        dispatchToResult.record(latencyNs);
        completedAfterAttempts[Math.min(FrameSlots.MAX_ATTEMPTS, attempts)]++;
        completed++;
        filterNsTotal += filterNs;
        filterNsMax = Math.max(filterNsMax, filterNs);
        workerMemoryMax = Math.max(workerMemoryMax, memoryBytes);
        WorkerShare share = workerShares.get(workerId);
        if (share == null)
        {
            share = new WorkerShare(workerId, workerPid);
            workerShares.put(workerId, share);
        }
        share.frames++;
    }

    /** Values kept per detection: the frame, then the {@link FrameOutcome#DETECTION_VALUES} of the detection. */
    public static final int DETECTION_RECORD = 1 + FrameOutcome.DETECTION_VALUES;

    /** Dispatch thread: a detection's {@link FrameOutcome#DETECTION_VALUES} values, from {@code values[from]}. */
    public void onDetection(final long frameNumber, final int[] values, final int from)
    {
        detectionsTotal++;
        if (detections.size() < MAX_REPORTED_DETECTIONS * DETECTION_RECORD)
        {
            detections.addInt((int)frameNumber);
            for (int v = 0; v < FrameOutcome.DETECTION_VALUES; v++)
            {
                detections.addInt(values[from + v]);
            }
        }
    }

    /** Encoder thread: a frame decoded at {@code decodedAtNs} is encoded at {@code nowNs}. */
    public void onEncoded(final long frameNumber, final long decodedAtNs, final long nowNs)
    {
        decodeToEncode.record(nowNs - decodedAtNs);
        if (frameNumber == 0)
        {
            firstEncodedNs = nowNs;
        }
    }

    /** When the first frame was encoded, or 0 before that. */
    public long firstEncodedNs()
    {
        return firstEncodedNs;
    }

    public LatencyStats dispatchToResult()
    {
        return dispatchToResult;
    }

    public LatencyStats decodeToEncode()
    {
        return decodeToEncode;
    }

    /** Frames whose result has arrived. */
    public long completed()
    {
        return completed;
    }

    /** How many frames completed after 1, 2, ... {@link FrameSlots#MAX_ATTEMPTS} attempts (index = attempts). */
    public long[] completedAfterAttempts()
    {
        return completedAfterAttempts.clone();
    }

    public long detectionsTotal()
    {
        return detectionsTotal;
    }

    /** {@link #DETECTION_RECORD} values per detection in the order results arrived; read once finished. */
    public IntArrayList detections()
    {
        return detections;
    }

    public long filterNsTotal()
    {
        return filterNsTotal;
    }

    public long filterNsMax()
    {
        return filterNsMax;
    }

    public long workerMemoryMax()
    {
        return workerMemoryMax;
    }

    public Int2ObjectHashMap<WorkerShare> workerShares()
    {
        return workerShares;
    }

    /** How many of the job's frames one worker processed. */
    public static final class WorkerShare
    {
        public final int workerId;
        public final long processId;
        public long frames;

        WorkerShare(final int workerId, final long processId)
        {
            this.workerId = workerId;
            this.processId = processId;
        }
    }
}
