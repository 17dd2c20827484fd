package io.framewire.server;

import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS end to end: a certificate the test makes with the JDK's keytool, a server with --tls-keystore, the client with
 * --tls --ca; a client that trusts another authority, or names another host, or speaks plain TCP, is refused in one
 * line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest
{
    @TempDir
    static Path dir;

    private Path video;
    private Path keystore;
    private Path password;
    private Path ca;
    private Path otherCa;

    @BeforeAll
    void makeCertificates() throws Exception
    {
        video = dir.resolve("in.mp4");
        SyntheticVideo.write(video, 160, 120, 10, 25);
        password = Files.writeString(dir.resolve("password"), "changeit-framewire\n");
        keystore = dir.resolve("server.p12");
        ca = dir.resolve("server.pem");
        otherCa = dir.resolve("other.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
            "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:0:0:0:0:0:0:0:1",
            "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit-framewire");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass",
            "changeit-framewire", "-file", ca.toString());
        final Path other = dir.resolve("other.p12");
        keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
            "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-keystore", other.toString(), "-storetype",
            "PKCS12", "-storepass", "changeit-framewire");
        keytool("-exportcert", "-rfc", "-alias", "other", "-keystore", other.toString(), "-storepass",
            "changeit-framewire", "-file", otherCa.toString());
    }

    private static void keytool(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0,
            Files.readString(dir.resolve("keytool.log")));
    }

    @Test
    void aJobRunsInsideTlsAndTheWrongCertificateOrNoTlsIsRefused() throws Exception
    {
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).tls(keystore, password)))
        {
            final String port = Integer.toString(server.port());
            final TestClient.Run ok = TestClient.run("--host", "localhost", "--port", port, "--tls", "--ca",
                ca.toString(), "--video", video.toString(), "--out", dir.resolve("tls.mp4").toString(), "--quiet",
                "--protocol", "stream");
            assertEquals(ExitCode.OK, ok.exitCode(), ok.stderr());
            assertEquals(10, ok.result().get("frames").asInt());

            final TestClient.Run untrusted = TestClient.run("--host", "localhost", "--port", port, "--ca",
                otherCa.toString(), "--video", video.toString(), "--out", dir.resolve("no.mp4").toString(),
                "--quiet");
            assertEquals(ExitCode.CANNOT_CONNECT, untrusted.exitCode(), untrusted.stderr());
            assertTrue(untrusted.stderr().contains("not signed by --ca " + otherCa), untrusted.stderr());
            assertEquals(1, untrusted.stderr().lines().count(), untrusted.stderr());

            final TestClient.Run plain = TestClient.run("--host", "localhost", "--port", port, "--video",
                video.toString(), "--out", dir.resolve("plain.mp4").toString(), "--quiet");
            assertFalse(plain.exitCode() == ExitCode.OK, "a client without TLS gets nothing: " + plain.stderr());
            assertEquals(1, plain.stderr().lines().count(), plain.stderr());

            final TestClient.Run again = TestClient.run("--host", "127.0.0.1", "--port", port, "--ca",
                ca.toString(), "--video", video.toString(), "--out", dir.resolve("again.mp4").toString(),
                "--quiet");
            assertEquals(ExitCode.OK, again.exitCode(), "the server went on serving: " + again.stderr());
        }
    }
}
