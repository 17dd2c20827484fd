package io.framewire.gpu;

import io.framewire.gpu.filter.CudaModules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether this host can run the filters on CUDA, and if not, why not, in one line. {@link #probe()} runs
 * {@link CudaProbe} in a child JVM with OpenCV's CUDA build selected; every way that can fail (no CUDA runtime
 * library, no driver or too old a one, no device, a crash, a hang) ends in a reason, never in a crash or a hang of
 * the worker.
 *
 * @param devices CUDA devices OpenCV can use (0 when none).
 * @param device  the first device's name and size, or "" when none.
 * @param reason  why CUDA is not used, or what was found.
 * @param modules each CUDA module the filters use: "ok", or why it cannot be used.
 */
public record CudaSelection(int devices, String device, String reason, Map<String, String> modules)
    implements CudaModules
{
    /** The JavaCPP property that picks a native build: "-gpu" for OpenCV's CUDA build, "" for the CPU build. */
    public static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";

    /** How long the probe may take, JVM start included: a broken driver can block the first CUDA call. */
    static final long PROBE_TIMEOUT_MS = 30_000;

    public CudaSelection
    {
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
    }

    /** True when the CUDA filters can run: a device, and OpenCV's CUDA build loaded. */
    public boolean usable()
    {
        return devices > 0;
    }

    /** True when this module can run its filters on the device. */
    @Override
    public boolean moduleUsable(final String module)
    {
        return usable() && "ok".equals(modules.get(module));
    }

    @Override
    public String moduleStatus(final String module)
    {
        return modules.getOrDefault(module, "not probed");
    }

    /** This host, through OpenCV's CUDA build on this JVM's classpath. */
    public static CudaSelection probe()
    {
        return select(probeCommand(), PROBE_TIMEOUT_MS);
    }

    /** A java command running {@link CudaProbe} with this JVM's flags and classpath and the CUDA build selected. */
    static List<String> probeCommand()
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-D" + PLATFORM_EXTENSION) && !argument.startsWith("-agentlib") &&
                !argument.startsWith("-javaagent") && !argument.startsWith("-XX:StartFlightRecording"))
            {
                command.add(argument);
            }
        }
        command.add("-D" + PLATFORM_EXTENSION + "=-gpu");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CudaProbe.class.getName());
        return command;
    }

    /** Runs a probe command and reads its answer; see {@link CudaProbe} for the lines it prints. */
    static CudaSelection select(final List<String> command, final long timeoutMs)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            return none("the CUDA probe could not start: " + ex.getMessage());
        }
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Thread reader = Thread.ofPlatform().daemon().name("cuda-probe-out").start(() ->
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // the probe ended
            }
        });
        try
        {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                return none("the CUDA probe did not answer in " + timeoutMs + " ms (a hung driver?)");
            }
            reader.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return none("interrupted while probing CUDA");
        }
        synchronized (lines)
        {
            return parse(List.copyOf(lines), process.exitValue());
        }
    }

    static CudaSelection parse(final List<String> lines, final int exitCode)
    {
        Integer devices = null;
        String device = "";
        String failure = null;
        final Map<String, String> modules = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final int space = line.indexOf(' ');
            final String key = space < 0 ? line : line.substring(0, space);
            final String value = space < 0 ? "" : line.substring(space + 1);
            switch (key)
            {
                case "devices" -> devices = parseCount(value);
                case "device" -> device = value;
                case "failure" -> failure = value;
                case "module" ->
                {
                    final int split = value.indexOf(' ');
                    if (split > 0)
                    {
                        modules.put(value.substring(0, split), value.substring(split + 1));
                    }
                }
                default ->
                {
                    // not the probe's: ignored
                }
            }
        }
        if (failure != null)
        {
            return new CudaSelection(0, "", failure.startsWith("UnsatisfiedLinkError") ?
                "a CUDA library is missing: " + failure : failure.startsWith("NoClassDefFoundError") ||
                failure.startsWith("ExceptionInInitializerError") ? "OpenCV's CUDA classes failed to load: " + failure :
                "the CUDA probe failed: " + failure, modules);
        }
        if (devices == null)
        {
            return none("the CUDA probe exited with code " + exitCode + " without an answer (a crash in the CUDA " +
                "driver or runtime?)");
        }
        if (devices > 0 && exitCode != 0)
        {
            return new CudaSelection(0, device, "the CUDA probe found " + devices + " device(s) but then exited " +
                "with code " + exitCode, modules);
        }
        if (devices > 0)
        {
            final List<String> broken = modules.entrySet().stream().filter(m -> !"ok".equals(m.getValue()))
                .map(m -> m.getKey() + " (" + m.getValue() + ")").toList();
            return new CudaSelection(devices, device, devices + " CUDA device(s) usable" +
                (device.isEmpty() ? "" : ", first: " + device) +
                (broken.isEmpty() ? "" : "; on the CPU instead: the filters of " + String.join(", ", broken)),
                modules);
        }
        return new CudaSelection(0, "", devices == 0 ?
            "OpenCV on the classpath is built without CUDA, or there is no CUDA device (getCudaEnabledDeviceCount() " +
                "= 0)" :
            "no NVIDIA driver, or one too old for this OpenCV build (getCudaEnabledDeviceCount() = " + devices + ")" +
            brokenLibraries(modules), modules);
    }

    /** What else is missing, so one look at the line tells everything a host lacks. */
    private static String brokenLibraries(final Map<String, String> modules)
    {
        final List<String> missing = modules.values().stream().filter(v -> !"ok".equals(v))
            .map(CudaSelection::missingLibrary).filter(v -> !v.isEmpty()).distinct().toList();
        return missing.isEmpty() ? "" : "; also missing: " + String.join(", ", missing);
    }

    private static String missingLibrary(final String reason)
    {
        final int end = reason.indexOf(": cannot open shared object file");
        if (end < 0)
        {
            return "";
        }
        final int start = reason.lastIndexOf(' ', end) + 1;
        return reason.substring(start, end);
    }

    private static Integer parseCount(final String text)
    {
        try
        {
            return Integer.valueOf(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private static CudaSelection none(final String reason)
    {
        return new CudaSelection(0, "", reason, Map.of());
    }

    /**
     * One line for an error: its class and message, or, for a library that failed to load, the message of the
     * deepest cause, which names the file the dynamic linker could not find.
     */
    static String describe(final Throwable error)
    {
        Throwable deepest = error;
        for (Throwable cause = error.getCause(); cause != null && cause != deepest; cause = cause.getCause())
        {
            deepest = cause;
        }
        final Throwable shown = deepest.getMessage() != null &&
            deepest.getMessage().contains("cannot open shared object file") ? deepest : error;
        final String message = String.valueOf(shown.getMessage());
        final int newline = message.indexOf('\n');
        return error.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }
}
