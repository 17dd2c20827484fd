package io.framewire.transport;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.framewire.codec.sbe.FrameResultDecoder;
import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.FrameTaskEncoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.FrameEncoding;
import io.framewire.codec.sbe.TaskStatus;
import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The task and result paths through a real embedded media driver over IPC. */
class FrameTransportTest
{
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 720;

    private MediaDriver driver;
    private Aeron aeron;
    private WorkerRegistry registry;
    private WorkerEndpoint endpoint;
    private Subscription results;

    @BeforeEach
    void start()
    {
        final String dir = TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID();
        driver = EmbeddedMediaDriver.launch(dir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        registry = new WorkerRegistry(aeron, 64, SystemNanoClock.INSTANCE);
        endpoint = new WorkerEndpoint(aeron);
        results = aeron.addSubscription(TransportConfig.IPC_CHANNEL, TransportConfig.RESULTS_STREAM_ID);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(results, endpoint, registry, aeron, driver);
    }

    @Test
    void heartbeatRegistersWorkerAndFrameTravelsBothWaysInParts()
    {
        final WorkerProxy worker = register();
        assertEquals(3, worker.credits());
        assertTrue(worker.embedded(), "same process as the registry");
        assertSame(worker, registry.pick(WIDTH * HEIGHT * 3));
        travelsBothWays(worker, 1280, 720);
    }

    /** A 4K BGR frame (24.9 MB) is larger than Aeron's largest message; in parts it travels all the same. */
    @Test
    void a4kFrameTravelsInParts()
    {
        travelsBothWays(register(), 3840, 2160);
    }

    /** A worker that asks for LZ4 gets its task compressed, and the pixels come out as they went in. */
    @Test
    void aWorkerAskingForLz4GetsCompressedTasks()
    {
        CloseHelper.close(endpoint);
        endpoint = new WorkerEndpoint(aeron, null, null, FrameEncoding.LZ4);
        final WorkerProxy worker = register();
        assertEquals(FrameEncoding.LZ4, worker.frameEncoding());
        final byte[] pixels = new byte[WIDTH * HEIGHT * 3];
        for (int i = 0; i < pixels.length; i++)
        {
            pixels[i] = (byte)((i / 3) % WIDTH / 5); // smooth gradient: compresses well, like video
        }
        final byte[] pipeline = "gray".getBytes(StandardCharsets.UTF_8);
        final TaskHeader head = new TaskHeader().jobId(1L).frameNumber(0).attempt(1).width(WIDTH).height(HEIGHT)
            .frameCount(1);
        awaitTrue(() -> worker.offerTask(head, pipeline, new UnsafeBuffer(pixels), 0, pixels.length) > 0);
        final FrameTaskDecoder task = new FrameTaskDecoder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final ByteBuffer compressed = ByteBuffer.allocateDirect(pixels.length);
        final UnsafeBuffer compressedView = new UnsafeBuffer(compressed);
        final long[] total = {-1, 0};
        awaitTrue(() -> endpoint.tasks().poll((buffer, offset, length, h) ->
        {
            task.wrapAndApplyHeader(buffer, offset, header.wrap(buffer, offset));
            assertEquals(FrameEncoding.LZ4, task.frameEncoding());
            total[0] = task.pixelsTotal();
            final long partOffset = task.pixelsOffset();
            task.skipPipeline();
            final int partLength = task.pixelsLength();
            compressedView.putBytes((int)partOffset, buffer, task.limit() + FrameTaskDecoder.pixelsHeaderLength(),
                partLength);
            total[1] += partLength;
        }, 100) >= 0 && total[0] >= 0 && total[1] == total[0]);
        assertTrue(total[0] < pixels.length / 4, "compressed to " + total[0] + " of " + pixels.length + " bytes");
        final ByteBuffer restored = ByteBuffer.allocateDirect(pixels.length);
        assertEquals(pixels.length, FrameCompression.decompress(compressed, (int)total[0], restored, pixels.length));
        final byte[] back = new byte[pixels.length];
        restored.get(0, back);
        assertArrayEquals(pixels, back);
    }

    private WorkerProxy register()
    {
        final WorkerHeartbeatDecoder heartbeat = new WorkerHeartbeatDecoder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        awaitTrue(() -> endpoint.offerHeartbeat(3, 0, 0) > 0);
        final FragmentAssembler heartbeats = new FragmentAssembler((buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            assertEquals(WorkerHeartbeatDecoder.TEMPLATE_ID, header.templateId());
            registry.onHeartbeat(heartbeat.wrapAndApplyHeader(buffer, offset, header), System.nanoTime());
        });
        // The first heartbeat asks for the task stream; one after it is ready registers the worker.
        awaitTrue(() -> endpoint.offerHeartbeat(3, 0, 0) > 0 && results.poll(heartbeats, 10) >= 0 &&
            registry.get(endpoint.workerId()) != null);
        final WorkerProxy worker = registry.get(endpoint.workerId());
        assertNotNull(worker);
        awaitTrue(endpoint::serverConnected);
        return worker;
    }

    private void travelsBothWays(final WorkerProxy worker, final int width, final int height)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final byte[] pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.length; i++)
        {
            pixels[i] = (byte)(i * 31 + i / 4096);
        }
        final UnsafeBuffer source = new UnsafeBuffer(pixels);
        final byte[] pipeline = "gaussian:ksize=7,sigma=0".getBytes(StandardCharsets.UTF_8);

        // Sent and read in turns: the task may be larger than the log buffer lets the sender run ahead.
        final FrameTaskDecoder task = new FrameTaskDecoder();
        final byte[] received = new byte[pixels.length];
        final int[] parts = new int[1];
        final long[] expectedOffset = new long[1];
        final FragmentHandler tasks = (buffer, offset, length, h) ->
        {
            assertEquals(FrameDescriptor.UNFRAGMENTED, h.flags() & FrameDescriptor.UNFRAGMENTED,
                "each part is one fragment");
            task.wrapAndApplyHeader(buffer, offset, header.wrap(buffer, offset));
            final long partOffset = task.pixelsOffset();
            task.skipPipeline();
            final int partLength = task.pixelsLength();
            assertEquals(expectedOffset[0], partOffset);
            // Each part is exactly what the generated encoder writes.
            final ExpandableArrayBuffer expected = new ExpandableArrayBuffer();
            final FrameTaskEncoder encoder = new FrameTaskEncoder()
                .wrapAndApplyHeader(expected, 0, new MessageHeaderEncoder())
                .jobId(42L).frameNumber(7).attempt((short)1).width(width).height(height)
                .frameEncoding(FrameEncoding.BGR24).frameCount((short)1).dispatchNanos(123L)
                .pixelsTotal(pixels.length).pixelsOffset(partOffset)
                .putPipeline(pipeline, 0, pipeline.length)
                .putPixels(pixels, (int)partOffset, partLength);
            assertArrayEquals(copy(expected, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()),
                copy(buffer, offset, length));
            task.wrapAndApplyHeader(buffer, offset, header.wrap(buffer, offset));
            assertEquals("gaussian:ksize=7,sigma=0", task.pipeline());
            task.getPixels(received, (int)partOffset, partLength);
            expectedOffset[0] += partLength;
            parts[0]++;
        };
        final TaskHeader head = new TaskHeader().jobId(42L).frameNumber(7).attempt(1).width(width).height(height)
            .frameCount(1).dispatchNanos(123L);
        long result = worker.offerTask(head, pipeline, source, 0, pixels.length);
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (result < 0)
        {
            assertTrue(System.nanoTime() < deadline, "task not sent in 30 s: " + result);
            endpoint.tasks().poll(tasks, 100);
            result = worker.partlySent() ? worker.continueTask() :
                worker.offerTask(head, pipeline, source, 0, pixels.length);
        }
        assertFalse(worker.partlySent());
        assertEquals(1, worker.inFlight());
        awaitTrue(() -> endpoint.tasks().poll(tasks, 100) >= 0 && expectedOffset[0] == pixels.length);
        assertArrayEquals(pixels, received);
        assertTrue(parts[0] >= pixels.length / TransportConfig.MTU_LENGTH, parts[0] + " parts");

        // A box with a score and keypoints, and one from a detector that gives none.
        final int[] boxes = new int[2 * FrameOutcome.DETECTION_VALUES];
        final int[] first = {10, 20, 30, 40, 873, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22};
        System.arraycopy(first, 0, boxes, 0, first.length);
        final int[] second = {1, 2, 3, 4, FrameOutcome.NO_SCORE};
        System.arraycopy(second, 0, boxes, FrameOutcome.DETECTION_VALUES, second.length);
        final FrameResultDecoder result0 = new FrameResultDecoder();
        final byte[] resultPixels = new byte[pixels.length];
        final long[] resultReceived = new long[1];
        final FragmentHandler resultHandler = (buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            if (header.templateId() == FrameResultDecoder.TEMPLATE_ID)
            {
                final FrameResultDecoder r = result0.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(endpoint.workerId(), r.workerId());
                assertEquals(TaskStatus.OK, r.status());
                assertEquals(5_000L, r.filterNanos());
                assertEquals(pixels.length, r.pixelsTotal());
                assertEquals(resultReceived[0], r.pixelsOffset());
                final int[] receivedBoxes = new int[2 * FrameOutcome.DETECTION_VALUES];
                int i = 0;
                for (final FrameResultDecoder.DetectionsDecoder box : r.detections())
                {
                    receivedBoxes[i++] = box.x();
                    receivedBoxes[i++] = box.y();
                    receivedBoxes[i++] = box.width();
                    receivedBoxes[i++] = box.height();
                    receivedBoxes[i++] = box.score() == FrameResultDecoder.DetectionsDecoder.scoreNullValue() ?
                        FrameOutcome.NO_SCORE : box.score();
                    for (int k = 0; k < 2 * FrameOutcome.KEYPOINTS; k++)
                    {
                        receivedBoxes[i++] = box.keypoints(k);
                    }
                }
                assertArrayEquals(boxes, receivedBoxes);
                final int partLength = r.pixelsLength();
                r.getPixels(resultPixels, (int)r.pixelsOffset(), partLength);
                resultReceived[0] += partLength;
            }
        };
        final FrameOutcome outcome = new FrameOutcome().ok(FrameEncoding.BGR24, source, pixels.length)
            .boxes(boxes, 2).filterNanos(5_000L).memoryBytes(1L << 20);
        long sent = endpoint.offerResult(head, outcome);
        final long resultDeadline = System.nanoTime() + 30_000_000_000L;
        while (sent < 0)
        {
            assertTrue(System.nanoTime() < resultDeadline, "result not sent in 30 s: " + sent);
            assertTrue(endpoint.resultPending(), "back pressure keeps the rest for later");
            results.poll(resultHandler, 100);
            sent = endpoint.continueResult();
        }
        assertFalse(endpoint.resultPending());
        awaitTrue(() -> results.poll(resultHandler, 100) >= 0 && resultReceived[0] == pixels.length);
        assertArrayEquals(pixels, resultPixels);
    }

    @Test
    void silentWorkerIsDeclaredDead()
    {
        final WorkerHeartbeatDecoder heartbeat = new WorkerHeartbeatDecoder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final long[] seenAt = new long[1];
        awaitTrue(() -> endpoint.offerHeartbeat(2, 0, 0) > 0 && results.poll((buffer, offset, length, h) ->
        {
            seenAt[0] = System.nanoTime();
            registry.onHeartbeat(heartbeat.wrapAndApplyHeader(buffer, header.wrap(buffer, offset).offset(), header),
                seenAt[0]);
        }, 10) >= 0 && registry.get(endpoint.workerId()) != null);
        final int[] dead = new int[1];
        assertEquals(0, registry.expire(seenAt[0] + TransportConfig.WORKER_TIMEOUT_NS - 1, w -> dead[0]++));
        assertEquals(1, registry.expire(seenAt[0] + TransportConfig.WORKER_TIMEOUT_NS + 1, w -> dead[0]++));
        assertEquals(1, dead[0]);
        assertNull(registry.get(endpoint.workerId()));
        assertNull(registry.pick(WIDTH * HEIGHT * 3));
        assertFalse(registry.workers().iterator().hasNext());
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
