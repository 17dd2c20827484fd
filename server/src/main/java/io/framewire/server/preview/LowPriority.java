package io.framewire.server.preview;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Puts the preview's threads at the lowest CPU priority (Linux niceness {@link #NICENESS}, per thread): viewers get
 * the CPU the jobs leave, so however many ask, the jobs do not slow down. Raising one's own niceness needs no
 * privilege; where {@code renice} is missing the threads keep their priority and the server says so once.
 */
final class LowPriority
{
    static final int NICENESS = 19;
    private static final Logger LOG = LoggerFactory.getLogger(LowPriority.class);
    private static volatile boolean warned;

    private LowPriority()
    {
    }

    /** The calling thread. */
    static void thisThread()
    {
        try
        {
            // /proc/thread-self links to PID/task/TID.
            apply(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            warnOnce(ex.toString());
        }
    }

    /** Every thread of this process whose name is {@code name} (threads the JDK starts, which run no code of ours). */
    static void threadsNamed(final String name)
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks.toList())
            {
                final Path comm = task.resolve("comm");
                if (Files.isReadable(comm) && Files.readString(comm).strip().equals(name))
                {
                    apply(task.getFileName().toString());
                }
            }
        }
        catch (final IOException ex)
        {
            warnOnce(ex.toString());
        }
    }

    private static void apply(final String tid)
    {
        try
        {
            final Process renice = new ProcessBuilder("renice", "-n", Integer.toString(NICENESS), "-p", tid)
                .redirectErrorStream(true).start();
            final String output = new String(renice.getInputStream().readAllBytes()).strip();
            if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0)
            {
                warnOnce(output);
            }
        }
        catch (final IOException ex)
        {
            warnOnce(ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void warnOnce(final String why)
    {
        if (!warned)
        {
            warned = true;
            LOG.warn("the preview runs at normal CPU priority, so viewers may slow jobs down: {}", why);
        }
    }
}
