package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import io.framewire.server.access.TokenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server started with --auth-tokens: a client without a token, or with one not in the file, is refused with
 * {@code unauthorized} before a byte of its video is taken; a listed token gets in; a line added to the file admits
 * its client without a restart.
 */
class TokenFileTest
{
    @TempDir
    Path dir;

    @Test
    void onlyListedTokensGetInAndTheFileIsReadAgainWhenItChanges() throws Exception
    {
        final Path video = dir.resolve("in.mp4");
        SyntheticVideo.write(video, 160, 120, 10, 25);
        final String[] alice = TokenFile.newToken("alice");
        final Path tokens = Files.writeString(dir.resolve("tokens"), "# name sha256\n" + alice[1] + "\n");
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).authTokens(tokens)))
        {
            final String port = Integer.toString(server.port());
            final TestClient.Run none = TestClient.run("--port", port, "--video", video.toString(), "--out",
                dir.resolve("none.mp4").toString(), "--quiet");
            assertEquals(ExitCode.SERVER_ERROR, none.exitCode());
            assertTrue(none.stderr().contains("unauthorized") && none.stderr().contains("needs a token"),
                none.stderr());
            final TestClient.Run wrong = TestClient.run("--port", port, "--video", video.toString(), "--out",
                dir.resolve("wrong.mp4").toString(), "--quiet", "--token", alice[0] + "x");
            assertEquals(ExitCode.SERVER_ERROR, wrong.exitCode());
            assertTrue(wrong.stderr().contains("unauthorized"), wrong.stderr());
            assertEquals(List.of(), jobFiles(), "refused before any upload was stored");

            final TestClient.Run right = TestClient.run("--port", port, "--video", video.toString(), "--out",
                dir.resolve("alice.mp4").toString(), "--quiet", "--token", alice[0]);
            assertEquals(ExitCode.OK, right.exitCode(), right.stderr());
            assertEquals(10, right.result().get("frames").asInt());

            final String[] bob = TokenFile.newToken("bob");
            assertNotEquals(alice[0], bob[0], "tokens are random");
            Files.writeString(tokens, bob[1] + "\n", StandardOpenOption.APPEND);
            Files.setLastModifiedTime(tokens, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
            final TestClient.Run added = TestClient.run("--port", port, "--video", video.toString(), "--out",
                dir.resolve("bob.mp4").toString(), "--quiet", "--token", bob[0]);
            assertEquals(ExitCode.OK, added.exitCode(), "a token added to the file works at once: " +
                added.stderr());
        }
    }

    @Test
    void aMalformedTokensFileStopsTheServerFromStarting() throws Exception
    {
        final Path tokens = Files.writeString(dir.resolve("bad-tokens"), "alice not-a-hash\n");
        final Exception refused = assertThrows(Exception.class,
            () -> FramewireServer.start(ServerFixture.context(dir).authTokens(tokens)).close());
        assertTrue(refused.getMessage().contains("line 1"), refused.getMessage());
    }

    private List<Path> jobFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("data")))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("job-")).toList();
        }
    }
}
