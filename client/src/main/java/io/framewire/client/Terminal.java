package io.framewire.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Whether this process's stderr is a terminal, and how wide it is: progress goes there, whatever stdout is. */
final class Terminal
{
    private static final int DEFAULT_WIDTH = 80;

    private Terminal()
    {
    }

    /** True when file descriptor 2 is a terminal (Linux: a pseudo-terminal or a console). */
    static boolean stderrIsTerminal()
    {
        try
        {
            final String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }

    /** Columns of the controlling terminal, as {@code stty size} says; 80 when it cannot be told. */
    static int width()
    {
        try
        {
            final Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0 && size.matches("\\d+ \\d+"))
            {
                return Math.max(40, Integer.parseInt(size.split(" ")[1]) - 1);
            }
        }
        catch (final IOException ex)
        {
            return DEFAULT_WIDTH;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_WIDTH;
    }
}
