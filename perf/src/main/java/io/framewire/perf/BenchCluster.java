package io.framewire.perf;

import io.framewire.server.ServerMain;
import io.framewire.server.media.EncoderSettings;
import io.framewire.worker.WorkerMain;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A server and its workers, each a process of its own. */
final class BenchCluster implements AutoCloseable
{
    /**
     * The server's own JVM flags, as {@code ./framewire server} gives them: server/jvm.options, beside the
     * jvm.options the launcher and surefire name in {@code framewire.jvm.options}.
     */
    static List<String> serverJvmFlags()
    {
        final Path common = Path.of(System.getProperty("framewire.jvm.options", "jvm.options")).toAbsolutePath();
        return List.of("@" + common.resolveSibling("server").resolve("jvm.options"));
    }

    /** A framewire JVM on this JVM's classpath and flags. */
    static Process javaProcess(final String mainClass, final List<String> args, final Path stderr, final Path stdout)
        throws IOException
    {
        return javaProcess(mainClass, List.of(), args, stderr, stdout);
    }

    /** @param extraFlags JVM flags of this process only, after this JVM's. */
    static Process javaProcess(final String mainClass, final List<String> extraFlags, final List<String> args,
        final Path stderr, final Path stdout) throws IOException
    {
        return new ProcessBuilder(javaCommand(mainClass, extraFlags, args)).redirectError(stderr.toFile())
            .redirectOutput(stdout.toFile()).start();
    }

    /** The command line of a framewire JVM on this JVM's classpath and flags, {@code extraFlags} after them. */
    static List<String> javaCommand(final String mainClass, final List<String> extraFlags, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!flag.startsWith("-agentlib") && !flag.startsWith("-javaagent"))
            {
                command.add(flag);
            }
        }
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    final int port;
    final int previewPort;
    final Process server;
    final List<Process> workers = new ArrayList<>();
    final String aeronDir;

    private BenchCluster(final int port, final int previewPort, final Process server, final String aeronDir)
    {
        this.port = port;
        this.previewPort = previewPort;
        this.server = server;
        this.aeronDir = aeronDir;
    }

    static BenchCluster start(final Path dir, final int workerCount, final boolean paced,
        final EncoderSettings encoder) throws Exception
    {
        Files.createDirectories(dir);
        final int port;
        final int previewPort;
        try (ServerSocket probe = new ServerSocket(0); ServerSocket previewProbe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
            previewPort = previewProbe.getLocalPort();
        }
        final String aeronDir = "/dev/shm/framewire-bench-" + UUID.randomUUID();
        final List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--preview-port",
            Integer.toString(previewPort),
            "--aeron-dir", aeronDir, "--data-dir", dir.resolve("data").toString(), "--preset",
            encoder.preset(), "--crf", Integer.toString(encoder.crf())));
        if (paced)
        {
            args.add("--paced");
        }
        final BenchCluster cluster = new BenchCluster(port, previewPort, javaProcess(ServerMain.class.getName(),
            serverJvmFlags(), args, dir.resolve("server.log"), dir.resolve("server.out")), aeronDir);
        try
        {
            awaitLine(dir.resolve("server.out"), "\"event\":\"listening\"", cluster.server);
            for (int i = 0; i < workerCount; i++)
            {
                final Process worker = javaProcess(WorkerMain.class.getName(), List.of("--aeron-dir",
                    aeronDir),
                    dir.resolve("worker-" + i + ".log"), dir.resolve("worker-" + i + ".out"));
                cluster.workers.add(worker);
                awaitLine(dir.resolve("worker-" + i + ".out"), "\"event\":\"worker_connected\"", worker);
            }
            return cluster;
        }
        catch (final Exception ex)
        {
            cluster.close();
            throw ex;
        }
    }

    private static void awaitLine(final Path file, final String text, final Process process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text)))
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("a process did not start; see " + file.getParent());
            }
            Thread.sleep(50);
        }
    }

    /** CPU time of the server and each worker, from /proc. */
    long[] cpuNanos() throws IOException
    {
        final long[] cpu = new long[1 + workers.size()];
        cpu[0] = procCpuNanos(server.pid());
        for (int i = 0; i < workers.size(); i++)
        {
            cpu[i + 1] = procCpuNanos(workers.get(i).pid());
        }
        return cpu;
    }

    /** Starts a new peak for {@link #peakRssKb} (Linux: writing 5 to clear_refs resets VmHWM). */
    void resetPeakRss()
    {
        resetPeak(server.pid());
        workers.forEach(worker -> resetPeak(worker.pid()));
    }

    long[] peakRssKb() throws IOException
    {
        final long[] rss = new long[1 + workers.size()];
        rss[0] = peakRss(server.pid());
        for (int i = 0; i < workers.size(); i++)
        {
            rss[i + 1] = peakRss(workers.get(i).pid());
        }
        return rss;
    }

    /** CPU time of the server's threads with one of {@code names} (Linux thread names, 15 characters at most). */
    long serverThreadCpuNanos(final List<String> names) throws IOException
    {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/" + server.pid() + "/task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    if (names.contains(Files.readString(task.resolve("comm")).strip()))
                    {
                        total += statCpuNanos(Files.readString(task.resolve("stat")));
                    }
                }
                catch (final IOException ended)
                {
                    // the thread ended while listed
                }
            }
        }
        return total;
    }

    static long procCpuNanos(final long pid) throws IOException
    {
        return statCpuNanos(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    private static long statCpuNanos(final String stat)
    {
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        final long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    private static void resetPeak(final long pid)
    {
        try
        {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        }
        catch (final IOException ignored)
        {
            // not permitted: the peak is then since the process started, which the report still shows
        }
    }

    private static long peakRss(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
        {
            if (line.startsWith("VmHWM:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException
    {
        for (final Process worker : workers)
        {
            worker.destroy();
        }
        server.destroy();
        for (final Process worker : workers)
        {
            worker.waitFor(10, TimeUnit.SECONDS);
        }
        server.waitFor(10, TimeUnit.SECONDS);
        workers.forEach(Process::destroyForcibly);
        server.destroyForcibly();
    }
}
