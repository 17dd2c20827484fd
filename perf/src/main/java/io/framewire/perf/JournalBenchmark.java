package io.framewire.perf;

import io.framewire.server.journal.FrameJournal;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The journal's cost per frame: appending a frame task as the decoder does (the encoder trailing a window of 16
 * frames behind, so finished segments are deleted as they would be), and reading one back as a retry does.
 * {@code dir} is where the data directory lives: the disk ({@code /tmp}) or memory ({@code /dev/shm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JournalBenchmark
{
    private static final int WINDOW = 16;

    @Param({"1280x720", "1920x1080"})
    public String size;

    @Param({"/tmp", "/dev/shm"})
    public String dir;

    private Path dataDir;
    private FrameJournal journal;
    private BytePointer memory;
    private UnsafeBuffer frame;
    private int frameBytes;
    private long next;


    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final String[] wh = size.split("x");
        frameBytes = Integer.parseInt(wh[0]) * Integer.parseInt(wh[1]) * 3;
        memory = new BytePointer(frameBytes);
        frame = new UnsafeBuffer(memory.address(), frameBytes);
        for (int i = 0; i < frameBytes; i++)
        {
            frame.putByte(i, (byte)(i * 13));
        }
        dataDir = Files.createTempDirectory(Path.of(dir), "journal-bench");
        journal = new FrameJournal(dataDir, 1, WINDOW, frameBytes);
    }

    /** An append alone, as the dispatcher waits for it (the journal thread prepared the pages beforehand). */
    @Benchmark
    public long append()
    {
        final long frameNumber = next++;
        final long at = journal.append(frameNumber, memory.address(), frameBytes);
        prepare(frameNumber + 1);
        return at;
    }

    /** An append with no preparation: every page it writes is faulted in during the append. */
    @Benchmark
    public long appendUnprepared()
    {
        final long frameNumber = next++;
        final long at = journal.append(frameNumber, memory.address(), frameBytes);
        while (journal.prepare(frameNumber + 1, Math.max(0, frameNumber + 1 - WINDOW), false) > 0)
        {
            // segments opened and deleted, no pages touched
        }
        return at;
    }

    @Benchmark
    public void appendAndReadBack()
    {
        final long frameNumber = next++;
        final long at = journal.append(frameNumber, memory.address(), frameBytes);
        journal.read(frameNumber, at, frame, frameBytes);
        prepare(frameNumber + 1);
    }

    private void prepare(final long nextFrame)
    {
        while (journal.prepare(nextFrame, Math.max(0, nextFrame - WINDOW)) > 0)
        {
            // the journal thread's work between frames
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        final org.HdrHistogram.Histogram appends = journal.appendNanos();
        System.out.printf("%n  appends alone, as timed by the journal: p50 %d us, p99 %d us, max %d us (%d)%n",
            appends.getValueAtPercentile(50) / 1000, appends.getValueAtPercentile(99) / 1000,
            appends.getMaxValue() / 1000, appends.getTotalCount());
        journal.close();
        memory.close();
        Files.deleteIfExists(dataDir);
    }
}
