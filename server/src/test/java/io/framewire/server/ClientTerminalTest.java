package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ClientMain;
import io.framewire.codec.JsonMessages;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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

    private static String quote(final String word)
    {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
