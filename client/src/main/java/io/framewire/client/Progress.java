package io.framewire.client;

import java.io.PrintStream;

/**
 * Progress of a transfer on stderr: a bar redrawn in place on a terminal, a plain line every 10% otherwise,
 * nothing when quiet.
 */
final class Progress
{
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final boolean quiet;
    private int lastShown = -1;

    Progress(final PrintStream err, final String label, final long total, final boolean terminal, final boolean quiet)
    {
        this.err = err;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.quiet = quiet;
    }

    void update(final long done)
    {
        if (quiet || total <= 0)
        {
            return;
        }
        final int percent = (int)Math.min(100, done * 100 / total);
        if (terminal)
        {
            if (percent != lastShown)
            {
                final int filled = percent * WIDTH / 100;
                err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent +
                    "% " + mib(done) + "/" + mib(total) + " MiB");
                if (percent == 100)
                {
                    err.println();
                }
                err.flush();
            }
        }
        else if (percent / 10 != lastShown / 10 || lastShown < 0)
        {
            err.println(label + " " + percent + "% (" + done + "/" + total + " bytes)");
        }
        lastShown = percent;
    }

    void message(final String text)
    {
        if (!quiet)
        {
            err.println(text);
        }
    }

    private static String mib(final long bytes)
    {
        return String.format("%.1f", bytes / (1024.0 * 1024.0));
    }
}
