package io.framewire.client;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.PrintStream;

/**
 * Progress of one phase (upload, processing, download) on stderr: a bar redrawn in place on a terminal, a plain
 * line every {@link #PLAIN_INTERVAL_MS} and at the end otherwise, nothing when quiet.
 */
final class Progress implements AutoCloseable
{
    /** How often a plain (not a terminal) progress line is printed. */
    static final int PLAIN_INTERVAL_MS = 5_000;

    private final ProgressBar bar;
    private boolean closed;

    private Progress(final ProgressBar bar)
    {
        this.bar = bar;
    }

    /** @param total -1 while unknown. */
    static Progress start(final PrintStream err, final String task, final long total, final String unit,
        final long unitSize, final boolean terminal, final boolean quiet)
    {
        if (quiet)
        {
            return new Progress(null);
        }
        final ProgressBarBuilder builder = new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setRenderer(new ProgressLine(unit, unitSize, terminal));
        if (terminal)
        {
            // Redrawn in place, each bar on its line of one region, on stderr whatever stdout is (a file, a pipe).
            builder.setUpdateIntervalMillis(200)
                .setConsumer(new InteractiveConsoleProgressBarConsumer(err, Terminal.width()));
        }
        else
        {
            // A log, not a display: a line every few seconds and at the end, never the same line twice.
            final String[] last = {""};
            builder.setConsumer(new DelegatingProgressBarConsumer(line ->
                {
                    final String text = line.trim();
                    if (!text.equals(last[0]))
                    {
                        last[0] = text;
                        err.println(text);
                    }
                }, 100))
                .setUpdateIntervalMillis(PLAIN_INTERVAL_MS);
        }
        return new Progress(builder.build());
    }

    void stepTo(final long done)
    {
        if (bar != null)
        {
            bar.stepTo(done);
        }
    }

    /** What the phase waits for, shown instead of its figures; null when it goes on. */
    void waiting(final String what)
    {
        if (bar != null)
        {
            bar.setExtraMessage(what == null ? "" : what);
        }
    }

    void maxHint(final long total)
    {
        if (bar != null && total >= 0 && bar.getMax() != total)
        {
            bar.maxHint(total);
        }
    }

    /** Ends the bar, showing its final state; later calls do nothing. */
    @Override
    public void close()
    {
        if (bar != null && !closed)
        {
            closed = true;
            bar.close();
        }
    }
}
