package io.framewire.client;

import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

import java.time.Duration;
import java.util.Locale;

/**
 * One phase's line, as the progressbar library draws it: with a known total, percent, a bar, counts, rate and
 * ETA ({@code upload  42% [█████▍       ] 12.3/29.1 MiB 8.1 MiB/s ETA 0:02}); without one, a spinner, the count
 * and the rate ({@code download ⠹ 3.4 MiB 1.2 MiB/s}), never a {@code ?}; while the phase waits for something, that
 * ({@code download reconnecting (try 3, 12 s left)}).
 */
final class ProgressLine implements ProgressBarRenderer
{
    private static final String SPINNER_UNICODE = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    private static final String SPINNER_ASCII = "|/-\\";
    private static final String BLOCKS = " ▏▎▍▌▋▊▉█";
    private static final int SPIN_MS = 100;

    private final String unit;
    private final long unitSize;
    private final boolean unicode;

    /** @param unitSize how many counted things make one {@code unit}: 1 for frames, 2^20 for MiB. */
    ProgressLine(final String unit, final long unitSize, final boolean unicode)
    {
        this.unit = " " + unit.strip();
        this.unitSize = unitSize;
        this.unicode = unicode;
    }

    @Override
    public String render(final ProgressState state, final int maxLength)
    {
        final long current = state.getCurrent();
        final long max = state.getMax();
        final double seconds = Math.max(1e-3, state.getElapsedAfterStart().toMillis() / 1e3);
        final String rate = amount(current / seconds) + unit + "/s";
        final String name = String.format(Locale.ROOT, "%-8s", state.getTaskName());
        final String extra = state.getExtraMessage();
        if (extra != null && !extra.isEmpty())
        {
            return fit(name + " " + extra, maxLength); // what the phase waits for, instead of its figures
        }
        if (max <= 0)
        {
            final String spinner = unicode ? SPINNER_UNICODE : SPINNER_ASCII;
            final char spin = state.isAlive() ? spinner.charAt((int)(state.getElapsedAfterStart().toMillis() /
                SPIN_MS % spinner.length())) : unicode ? '✓' : '*';
            return fit(name + " " + spin + " " + amount(current) + unit + " " + rate, maxLength);
        }
        final double fraction = Math.min(1, (double)current / max);
        final String counts = amount(current) + "/" + amount(max) + unit;
        final String eta = current > 0 && current < max ? " ETA " + clock(Duration.ofMillis((long)(seconds * 1e3 *
            (max - current) / current))) : "";
        final String percent = String.format(Locale.ROOT, "%3d%%", (int)(fraction * 100));
        final String tail = " " + counts + " " + rate + eta;
        final int barWidth = Math.max(0, Math.min(40, maxLength - name.length() - percent.length() - tail.length() -
            4));
        return fit(name + " " + percent + " [" + bar(fraction, barWidth) + "]" + tail, maxLength);
    }

    private String bar(final double fraction, final int width)
    {
        final StringBuilder bar = new StringBuilder(width);
        final double filled = fraction * width;
        for (int i = 0; i < width; i++)
        {
            final double part = Math.max(0, Math.min(1, filled - i));
            if (unicode)
            {
                bar.append(BLOCKS.charAt((int)Math.round(part * (BLOCKS.length() - 1))));
            }
            else
            {
                bar.append(part >= 1 ? '=' : part > 0 ? '>' : ' ');
            }
        }
        return bar.toString();
    }

    /** Whole counts for frames; one decimal for MiB. */
    private String amount(final double count)
    {
        return unitSize == 1 ? Long.toString(Math.round(count)) :
            String.format(Locale.ROOT, "%.1f", count / unitSize);
    }

    private static String clock(final Duration duration)
    {
        final long s = duration.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) :
            String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String fit(final String line, final int maxLength)
    {
        return maxLength > 0 && line.length() > maxLength ? line.substring(0, maxLength) : line;
    }
}
