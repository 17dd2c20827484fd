package io.framewire.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real worker JVM started the way ./framewire starts one, on the test's classpath. */
final class WorkerProcess implements AutoCloseable
{
    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();

    private final Path log;

    private WorkerProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
        Thread.ofPlatform().daemon().start(() ->
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    stdout.add(line);
                    if (line.contains("\"event\":\"worker_connected\""))
                    {
                        connected.complete(null);
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
            String exit;
            try
            {
                exit = process.waitFor(5, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "still running";
            }
            catch (final InterruptedException ex)
            {
                exit = "interrupted";
            }
            String stderr;
            try
            {
                stderr = Files.readString(log);
            }
            catch (final IOException ex)
            {
                stderr = ex.toString();
            }
            connected.completeExceptionally(new IllegalStateException("worker exited before connecting (" + exit +
                "): " + stderr));
        });
    }

    static WorkerProcess start(final String aeronDir, final Path log, final String... extraArgs) throws IOException
    {
        return start("io.framewire.worker.WorkerMain", aeronDir, log, extraArgs);
    }

    /** A worker run by {@code mainClass}, e.g. the GPU worker's. */
    static WorkerProcess start(final String mainClass, final String aeronDir, final Path log, final String... extraArgs)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("@" + System.getProperty("framewire.jvm.options"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.add("--aeron-dir");
        command.add(aeronDir);
        command.addAll(List.of(extraArgs));
        final Process process = new ProcessBuilder(command)
            .redirectError(log.toFile())
            .start();
        return new WorkerProcess(process, log);
    }

    /** What the worker printed on stdout so far: its JSON events. */
    List<String> stdout()
    {
        return List.copyOf(stdout);
    }

    /** What the worker logged so far (its stderr). */
    String log() throws IOException
    {
        return Files.readString(log);
    }

    /** Wait until the server has opened this worker's task stream. */
    void awaitConnected() throws Exception
    {
        connected.get(60, TimeUnit.SECONDS);
    }

    long pid()
    {
        return process.pid();
    }

    /** SIGKILL: the worker dies at once, frames in hand and all. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly().waitFor();
    }

    /** SIGSTOP / SIGCONT: the worker hangs, then wakes up. */
    void signal(final String name) throws IOException, InterruptedException
    {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
        }
    }
}
