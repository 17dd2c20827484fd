package io.framewire.perf;

import io.framewire.server.journal.FrameJournal;
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
 * The journal's cost per frame: appending a frame's record as the journal thread does (and a progress record every
 * 16 frames), whatever the frame's size. {@code dir} is where the data directory lives: the disk ({@code /tmp}) or
 * memory ({@code /dev/shm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JournalBenchmark
{
    @Param({"1280x720", "3840x2160"})
    public String size;

    @Param({"/tmp", "/dev/shm"})
    public String dir;

    private Path dataDir;
    private FrameJournal journal;
    private int frameBytes;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final String[] wh = size.split("x");
        frameBytes = Integer.parseInt(wh[0]) * Integer.parseInt(wh[1]) * 3;
        dataDir = Files.createTempDirectory(Path.of(dir), "journal-bench");
        journal = new FrameJournal(dataDir, 1);
    }

    /** A frame's record, as the journal thread appends it before the frame may be sent (the size only shows in it). */
    @Benchmark
    public long appendFrame()
    {
        final long frameNumber = next++;
        final long at = journal.appendFrame(frameNumber, frameNumber * 33_333, System.nanoTime(), frameBytes);
        if (frameNumber % 16 == 0)
        {
            journal.appendEncoded(frameNumber);
        }
        return at;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        final org.HdrHistogram.Histogram appends = journal.appendNanos();
        System.out.printf("%n  appends, as timed by the journal: p50 %.1f us, p99 %.1f us, max %.1f us (%d), " +
            "%d bytes for %d records%n", appends.getValueAtPercentile(50) / 1000.0,
            appends.getValueAtPercentile(99) / 1000.0, appends.getMaxValue() / 1000.0, appends.getTotalCount(),
            journal.bytesAppended(), journal.records());
        journal.close();
        Files.deleteIfExists(dataDir);
    }
}
