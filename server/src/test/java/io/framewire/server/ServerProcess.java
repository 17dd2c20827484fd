package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.codec.JsonMessages;
import io.framewire.transport.TransportConfig;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real server process (`ServerMain`) on a port and data directory of the test's choosing, for the tests that
 * kill, stop and restart it; its stdout and stderr go to {@code NAME.out} and {@code NAME.log} in the test's
 * directory. Closing it kills it if it still runs.
 */
final class ServerProcess implements AutoCloseable
{
    private final Process process;
    private final Path out;
    private final Path log;
    private final String aeronDir;

    private ServerProcess(final Process process, final Path out, final Path log, final String aeronDir)
    {
        this.process = process;
        this.out = out;
        this.log = log;
        this.aeronDir = aeronDir;
    }

    /**
     * Starts a server and waits until it listens on {@code port}.
     *
     * @param options further options, after the port, preview (none), Aeron directory and data directory.
     */
    static ServerProcess start(final Path dir, final String name, final int port, final Path data,
        final String... options) throws Exception
    {
        final String aeronDir = TransportConfig.AERON_DIR_DEFAULT + "-test-" + UUID.randomUUID();
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
            ServerMain.class.getName(), "--port", Integer.toString(port), "--preview-port", "-1", "--aeron-dir",
            aeronDir, "--data-dir", data.toString()));
        command.addAll(List.of(options));
        final Path out = dir.resolve(name + ".out");
        final Path log = dir.resolve(name + ".log");
        final ServerProcess server = new ServerProcess(new ProcessBuilder(command).redirectOutput(out.toFile())
            .redirectError(log.toFile()).start(), out, log, aeronDir);
        if (port != 0 && server.awaitPort() != port)
        {
            server.close();
            throw new AssertionError("the server did not take port " + port);
        }
        return server;
    }

    /** The port the server says it listens on (its {@code listening} event on stdout). */
    int awaitPort() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive())
        {
            for (final String line : Files.readAllLines(out))
            {
                if (line.contains("\"event\":\"listening\""))
                {
                    final JsonNode event = JsonMessages.MAPPER.readTree(line);
                    return event.get("port").asInt();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not start: " + log());
    }

    /** Sends {@code signal} (KILL, TERM, ...) and waits up to 30 s for the process to end; its exit code. */
    int signal(final String signal) throws Exception
    {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError("the server still runs 30 s after SIG" + signal);
        }
        return process.exitValue();
    }

    Process process()
    {
        return process;
    }

    String log() throws IOException
    {
        return Files.readString(log);
    }

    /**
     * Kills the server if it still runs, and removes its media driver's directory, which a killed driver leaves in
     * /dev/shm: its term buffers are memory, hundreds of MB of it.
     */
    @Override
    public void close() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        IoUtil.delete(new File(aeronDir), true);
    }
}
