package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs ops/two-hosts.sh: server and worker in two network namespaces joined by a veth pair, frames over Aeron
 * UDP. Needs root and iproute2; says loudly when it cannot run.
 */
class TwoHostsTest
{
    @Test
    void aJobIsDoneByAWorkerOnAnotherHost() throws Exception
    {
        final Path root = Path.of("..").toAbsolutePath().normalize();
        final Path out = Files.createTempFile("two-hosts", ".out");
        final Path err = Files.createTempFile("two-hosts", ".err");
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(List.of("bash",
                root.resolve("ops/two-hosts.sh").toString(),
                "--frames", "30", "--size", "640x360"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
            builder.environment().put("FRAMEWIRE_CP", System.getProperty("java.class.path"));
            builder.environment().put("FRAMEWIRE_JAVA", ProcessHandle.current().info().command().orElse("java"));
            final Process process = builder.start();
            assertTrue(process.waitFor(180, TimeUnit.SECONDS), "two-hosts.sh did not finish in 180 s");
            final String stderr = Files.readString(err, StandardCharsets.UTF_8);
            if (process.exitValue() == 77)
            {
                System.err.println("TwoHostsTest SKIPPED: " + stderr.strip());
                Assumptions.abort("SKIPPED: ops/two-hosts.sh cannot run here: " + stderr.strip());
            }
            assertEquals(0, process.exitValue(), stderr);
            final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            final JsonNode result = new ObjectMapper().readTree(lines.get(lines.size() - 1));
            assertEquals(30, result.get("frames").asInt());
            assertEquals(1, result.get("workers").size(), result.get("workers").toString());
            assertEquals(30, result.get("workers").get(0).get("frames").asInt());
            assertTrue(stderr.contains("30 done across the link"), stderr);
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
