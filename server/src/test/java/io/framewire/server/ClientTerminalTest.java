package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ClientMain;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's result as people and programs get it, from a real client JVM: on a terminal (a pseudo-terminal made
 * by util-linux's {@code script}) a short summary, the JSON in a file beside the output; with stdout a file, the
 * JSON itself.
 */
class ClientTerminalTest
{
    @RegisterExtension
    static final ServerFixture SERVER = new ServerFixture();

    @TempDir
    Path dir;

    private List<String> client(final Path video, final Path out)
    {
        return List.of(ProcessHandle.current().info().command().orElse("java"),
            "@" + System.getProperty("framewire.jvm.options"), "-cp", System.getProperty("java.class.path"),
            ClientMain.class.getName(), "--port", Integer.toString(SERVER.port()), "--video", video.toString(),
            "--out", out.toString(), "--quiet");
    }

    @Test
    void aTerminalGetsASummaryAndTheJsonGoesBesideTheOutput() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs util-linux's script");
        final Path video = dir.resolve("in.mp4");
        SyntheticVideo.write(video, 320, 240, 20, 25);
        final Path out = dir.resolve("out.mp4");
        final String command = client(video, out).stream().map(ClientTerminalTest::quote)
            .collect(Collectors.joining(" "));
        final Path screen = dir.resolve("screen.txt");
        final Process process = new ProcessBuilder("/usr/bin/script", "-q", "-e", "-c", command, "/dev/null")
            .redirectErrorStream(true).redirectOutput(screen.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the client finished");
        final String text = Files.readString(screen);
        assertEquals(0, process.exitValue(), text);
        assertTrue(text.contains("saved " + out) && text.contains("20 frames, 320x240"), text);
        assertTrue(text.contains("fps over") && text.contains("metrics (JSON): " + out + ".json"), text);
        assertFalse(text.contains("latency_histograms"), "no JSON for a person: " + text);
        final JsonNode metrics = JsonMessages.MAPPER.readTree(Files.readString(Path.of(out + ".json")));
        assertEquals(20, metrics.get("frames").asInt());

        final Path piped = dir.resolve("piped.mp4");
        final Path stdout = dir.resolve("stdout.json");
        final Process toFile = new ProcessBuilder(client(video, piped)).redirectOutput(stdout.toFile())
            .redirectError(dir.resolve("stderr.txt").toFile()).start();
        assertTrue(toFile.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, toFile.exitValue(), Files.readString(dir.resolve("stderr.txt")));
        assertEquals(20, JsonMessages.MAPPER.readTree(Files.readString(stdout)).get("frames").asInt(),
            "stdout to a file is the JSON, for programs");
        assertFalse(Files.exists(Path.of(piped + ".json")), "and no file beside the output");
    }

    /**
     * In a real terminal (tmux, 120×30) with stdout captured to a file, as {@code client ... > metrics.json} does:
     * each phase is one line redrawn in place, not a line a second.
     */
    @Test
    void withStdoutInAFileTheProgressStillRedrawsInPlace() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tmux")), "needs tmux");
        final Path video = dir.resolve("slow.mp4");
        SyntheticVideo.write(video, 640, 360, 150, 25);
        final Path metrics = dir.resolve("metrics.json");
        final List<String> args = new ArrayList<>(client(video, dir.resolve("slow-out.mp4")));
        args.remove("--quiet");
        final String command = args.stream().map(ClientTerminalTest::quote).collect(Collectors.joining(" ")) +
            " > " + quote(metrics.toString()) + "; tmux -L " + SOCKET + " wait-for -S done; sleep 60";
        run("new-session", "-d", "-s", "client", "-x", "120", "-y", "30", command);
        try
        {
            final Process done = new ProcessBuilder("tmux", "-L", SOCKET, "wait-for", "done").start();
            assertTrue(done.waitFor(120, TimeUnit.SECONDS), "the client finished");
            final Process capture = new ProcessBuilder("tmux", "-L", SOCKET, "capture-pane", "-p", "-t", "client")
                .redirectErrorStream(true).start();
            final String screen = new String(capture.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(capture.waitFor(10, TimeUnit.SECONDS));
            final List<String> lines = screen.lines().filter(line -> !line.isBlank()).toList();
            assertEquals(1, lines.stream().filter(line -> line.startsWith("process")).count(), screen);
            assertEquals(1, lines.stream().filter(line -> line.startsWith("upload")).count(), screen);
            assertTrue(lines.stream().anyMatch(line -> line.matches("process +100% \\[.+] 150/150 frames .*")),
                screen);
            // The download's size, known at its end, is its total then; before, a count and a rate, never a '?'.
            assertTrue(lines.stream().anyMatch(line ->
                line.matches("download +100% \\[.+] ([0-9]+\\.[0-9])/\\1 MiB .*")), screen);
            assertFalse(screen.contains("?"), screen);
            assertTrue(lines.stream().anyMatch(line -> line.startsWith("saved ")), screen);
            assertTrue(lines.size() <= 6, "a short screen: " + screen);
            assertEquals(150, JsonMessages.MAPPER.readTree(Files.readString(metrics)).get("frames").asInt());
        }
        finally
        {
            run("kill-server");
        }
    }

    private static final String SOCKET = "framewire-test-" + ProcessHandle.current().pid();

    private static void run(final String... tmux) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        command.addAll(List.of(tmux));
        new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    }

    private static String quote(final String word)
    {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
