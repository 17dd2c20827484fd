package io.framewire.transport;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.framewire.codec.sbe.FrameResultDecoder;
import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.FrameTaskEncoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.PixelFormat;
import io.framewire.codec.sbe.TaskStatus;
import io.framewire.codec.sbe.WorkerHeartbeatDecoder;
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
        registry = new WorkerRegistry(aeron, 64);
        endpoint = new WorkerEndpoint(aeron);
        results = aeron.addSubscription(TransportConfig.IPC_CHANNEL, TransportConfig.RESULTS_STREAM_ID);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(results, endpoint, registry, aeron, driver);
    }

    @Test
    void heartbeatRegistersWorkerAndFrameTravelsBothWays()
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
        awaitTrue(() -> results.poll(heartbeats, 10) > 0);

        final WorkerChannel worker = registry.get(endpoint.workerId());
        assertNotNull(worker);
        assertEquals(3, worker.credits());
        assertTrue(worker.embedded(), "same process as the registry");
        awaitTrue(endpoint::serverConnected);
        assertSame(worker, registry.pick());

        final byte[] pixels = new byte[WIDTH * HEIGHT * 3];
        for (int i = 0; i < pixels.length; i++)
        {
            pixels[i] = (byte)(i * 31 + i / 4096);
        }
        final UnsafeBuffer source = new UnsafeBuffer(pixels);
        final byte[] pipeline = "gaussian:ksize=7,sigma=0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        awaitTrue(() -> worker.offerTask(42L, 7, 1, WIDTH, HEIGHT, 1, 123L, pipeline, source, 0, pixels.length) > 0);
        assertEquals(1, worker.inFlight());

        final byte[][] received = new byte[1][];
        final FragmentAssembler tasks = new FragmentAssembler((buffer, offset, length, h) ->
            received[0] = copy(buffer, offset, length));
        awaitTrue(() -> endpoint.tasks().poll(tasks, 100) > 0 && received[0] != null);

        // The two-vector offer must produce exactly what the generated encoder writes.
        final ExpandableArrayBuffer expected = new ExpandableArrayBuffer();
        final FrameTaskEncoder encoder = new FrameTaskEncoder()
            .wrapAndApplyHeader(expected, 0, new MessageHeaderEncoder())
            .jobId(42L).frameNumber(7).attempt((short)1).width(WIDTH).height(HEIGHT)
            .pixelFormat(PixelFormat.BGR24).frameCount((short)1).dispatchNanos(123L)
            .putPipeline(pipeline, 0, pipeline.length)
            .putPixels(pixels, 0, pixels.length);
        assertArrayEquals(copy(expected, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()),
            received[0]);

        final FrameTaskDecoder task = new FrameTaskDecoder()
            .wrapAndApplyHeader(new UnsafeBuffer(received[0]), 0, header);
        assertEquals(42L, task.jobId());
        assertEquals(7, task.frameNumber());
        assertEquals("gaussian:ksize=7,sigma=0", task.pipeline());

        final int[] boxes = {10, 20, 30, 40, 1, 2, 3, 4};
        awaitTrue(() -> endpoint.offerResult(42L, 7, 1, TaskStatus.OK, WIDTH, HEIGHT, 123L, 5_000L, 1L << 20,
            boxes, 2, source, 0, pixels.length) > 0);
        final FrameResultDecoder result = new FrameResultDecoder();
        final byte[][] resultPixels = new byte[1][];
        final FragmentAssembler resultAssembler = new FragmentAssembler((buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            if (header.templateId() == FrameResultDecoder.TEMPLATE_ID)
            {
                result.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(endpoint.workerId(), result.workerId());
                assertEquals(TaskStatus.OK, result.status());
                assertEquals(5_000L, result.filterNanos());
                final int[] receivedBoxes = new int[8];
                int i = 0;
                for (final FrameResultDecoder.DetectionsDecoder box : result.detections())
                {
                    receivedBoxes[i++] = box.x();
                    receivedBoxes[i++] = box.y();
                    receivedBoxes[i++] = box.width();
                    receivedBoxes[i++] = box.height();
                }
                assertArrayEquals(boxes, receivedBoxes);
                resultPixels[0] = new byte[result.pixelsLength()];
                result.getPixels(resultPixels[0], 0, resultPixels[0].length);
            }
        });
        awaitTrue(() -> results.poll(resultAssembler, 100) >= 0 && resultPixels[0] != null);
        assertArrayEquals(pixels, resultPixels[0]);
    }

    @Test
    void silentWorkerIsDeclaredDead()
    {
        final WorkerHeartbeatDecoder heartbeat = new WorkerHeartbeatDecoder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        awaitTrue(() -> endpoint.offerHeartbeat(2, 0, 0) > 0);
        final long[] seenAt = new long[1];
        awaitTrue(() -> results.poll((buffer, offset, length, h) ->
        {
            seenAt[0] = System.nanoTime();
            registry.onHeartbeat(heartbeat.wrapAndApplyHeader(buffer, header.wrap(buffer, offset).offset(), header),
                seenAt[0]);
        }, 10) > 0);
        final int[] dead = new int[1];
        assertEquals(0, registry.expire(seenAt[0] + TransportConfig.WORKER_TIMEOUT_NS - 1, w -> dead[0]++));
        assertEquals(1, registry.expire(seenAt[0] + TransportConfig.WORKER_TIMEOUT_NS + 1, w -> dead[0]++));
        assertEquals(1, dead[0]);
        assertNull(registry.get(endpoint.workerId()));
        assertNull(registry.pick());
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
