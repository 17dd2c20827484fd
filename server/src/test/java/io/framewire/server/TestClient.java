package io.framewire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.client.ClientMain;
import io.framewire.codec.JsonMessages;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Runs the real client in this JVM and captures what it prints, for the end-to-end tests. */
final class TestClient
{
    private TestClient()
    {
    }

    /** One client run: its exit code, stdout (the result JSON) and stderr (progress and errors). */
    record Run(int exitCode, String stdout, String stderr)
    {
        JsonNode result() throws Exception
        {
            return JsonMessages.MAPPER.readTree(stdout);
        }
    }

    /** The client run on a virtual thread, as a client process beside the test would run. */
    static CompletableFuture<Run> start(final String... args)
    {
        return CompletableFuture.supplyAsync(() -> run(args), runnable -> Thread.ofVirtual().start(runnable));
    }

    static Run run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = ClientMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
