package io.framewire.perf;

import io.framewire.server.job.FrameRing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Restoring frame order: results complete out of order within a job's window ({@link FrameRing#markCompleted},
 * the dispatch thread) and the encoder takes them in order ({@link FrameRing#isCompleted},
 * {@link FrameRing#releaseEncoded}). Per frame, a window's frames completed in a shuffled order and taken in order
 * as soon as each is next.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ReorderBenchmark
{
    private static final int WINDOW = 16; // the server's default --window
    private static final int PERMUTATIONS = 64;

    @State(Scope.Thread)
    public static class Window
    {
        FrameRing ring;
        int[][] orders;
        long base;
        int next;

        @Setup
        public void setUp()
        {
            ring = new FrameRing(WINDOW, 64, 1);
            orders = shuffledWindows(WINDOW);
        }

        @TearDown
        public void tearDown()
        {
            ring.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public long restoreOrder(final Window state)
    {
        final FrameRing ring = state.ring;
        final int[] order = state.orders[state.next++ & (PERMUTATIONS - 1)];
        long released = 0;
        for (final int offset : order)
        {
            ring.markCompleted(state.base + offset);
            while (ring.isCompleted(ring.encoded()))
            {
                ring.releaseEncoded();
                released++;
            }
        }
        state.base += order.length;
        return released;
    }

    private static int[][] shuffledWindows(final int window)
    {
        final SplittableRandom random = new SplittableRandom(7);
        final int[][] orders = new int[PERMUTATIONS][window];
        for (final int[] order : orders)
        {
            for (int i = 0; i < window; i++)
            {
                order[i] = i;
            }
            for (int i = window - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return orders;
    }
}
