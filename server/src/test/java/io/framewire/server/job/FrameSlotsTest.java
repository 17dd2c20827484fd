package io.framewire.server.job;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dispatch thread's per-frame rules: backoff before a frame is sent again, attempts, result parts. */
class FrameSlotsTest
{
    private static final long MS = 1_000_000L;
    private static final int WORKER = 1001;

    private final FrameRing ring = new FrameRing(4, 12, 1);
    private final FrameSlots slots = new FrameSlots(ring);

    @AfterEach
    void free()
    {
        ring.close();
    }

    private void decodeAndJournal(final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            ring.publishDecoded(0, i * 40_000L);
            ring.publishJournaled();
        }
    }

    @Test
    void newFramesGoInOrderOnceJournaled()
    {
        assertEquals(-1, slots.nextFrame(0), "nothing journaled yet");
        decodeAndJournal(2);
        assertEquals(0, slots.nextFrame(0));
        slots.onFirstDispatch(WORKER, 0);
        assertEquals(1, slots.nextFrame(0));
        slots.onFirstDispatch(WORKER, 0);
        assertEquals(-1, slots.nextFrame(0), "both journaled frames are out");
        assertTrue(slots.atWorker(0) && slots.atWorker(1));
    }

    @Test
    void aCarriedOnJobsFramesGoFromWhereItsRingStarts()
    {
        try (FrameRing carried = new FrameRing(4, 12, 1))
        {
            carried.startAt(840); // the frames before are in the output kept from a stopped server
            final FrameSlots carriedSlots = new FrameSlots(carried);
            assertEquals(840, carriedSlots.dispatched());
            assertEquals(-1, carriedSlots.nextFrame(0), "nothing journaled yet");
            carried.publishDecoded(0, 33_600_000L);
            carried.publishJournaled();
            assertEquals(840, carriedSlots.nextFrame(0));
            carriedSlots.onFirstDispatch(WORKER, 0);
            assertEquals(-1, carriedSlots.nextFrame(0));
            assertTrue(carriedSlots.atWorker(840));
        }
    }

    @Test
    void aRequeuedFrameWaitsItsBackoffWhichDoublesPerAttemptThenTheJobMustFail()
    {
        decodeAndJournal(1);
        slots.onFirstDispatch(WORKER, 0);
        long now = 1_000 * MS;
        long expectedBackoff = FrameSlots.RETRY_BACKOFF_NS;
        for (int attempt = 1; attempt < FrameSlots.MAX_ATTEMPTS; attempt++)
        {
            assertTrue(slots.requeue(0, now));
            assertFalse(slots.atWorker(0), "waiting to be sent again");
            assertTrue(slots.requeue(0, now + 5 * MS), "a second cause while it waits changes nothing");
            assertEquals(-1, slots.nextFrame(now + expectedBackoff - 1), "still backing off");
            assertEquals(0, slots.nextFrame(now + expectedBackoff));
            slots.onRedispatch(0, WORKER + attempt, now + expectedBackoff);
            assertEquals(attempt + 1, slots.attempts(0));
            assertEquals(WORKER + attempt, slots.workerOf(0));
            now += expectedBackoff;
            expectedBackoff = Math.min(FrameSlots.RETRY_BACKOFF_MAX_NS, expectedBackoff * 2);
        }
        assertEquals(FrameSlots.MAX_ATTEMPTS - 1, slots.retries());
        assertFalse(slots.requeue(0, now), "after " + FrameSlots.MAX_ATTEMPTS + " attempts the job fails");
    }

    @Test
    void aBackingOffFrameDoesNotHoldUpNewFrames()
    {
        decodeAndJournal(2);
        slots.onFirstDispatch(WORKER, 0);
        assertTrue(slots.requeue(0, 0));
        assertEquals(1, slots.nextFrame(1), "frame 0 backs off; frame 1 goes meanwhile");
    }

    @Test
    void aFrameCompletedWhileWaitingIsNotSentAgain()
    {
        decodeAndJournal(1);
        slots.onFirstDispatch(WORKER, 0);
        assertTrue(slots.requeue(0, 0));
        ring.markCompleted(0); // the late result of the first attempt arrived
        assertEquals(-1, slots.nextFrame(FrameSlots.RETRY_BACKOFF_MAX_NS));
    }

    @Test
    void resultPartsAreTakenFromOneWorkerInOrderAndAFirstPartStartsOver()
    {
        decodeAndJournal(1);
        slots.onFirstDispatch(WORKER, 0);
        assertTrue(slots.acceptResultPart(0, WORKER, 0, 4));
        assertFalse(slots.acceptResultPart(0, WORKER, 8, 4), "a gap");
        assertFalse(slots.acceptResultPart(0, WORKER + 1, 4, 4), "another worker's middle part");
        assertTrue(slots.acceptResultPart(0, WORKER, 4, 4));
        assertEquals(8, slots.resultBytes(0));
        assertTrue(slots.acceptResultPart(0, WORKER + 1, 0, 6), "another worker's whole result replaces it");
        assertEquals(6, slots.resultBytes(0));
        assertFalse(slots.acceptResultPart(0, WORKER, 8, 4), "the first worker's rest is dropped");
    }
}
