package io.framewire.server.net;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * TLS for the client port: the server's certificate and key from a PKCS#12 keystore ({@code keytool} makes one, and
 * {@code openssl pkcs12 -export} turns a PEM certificate and key into one), TLS 1.3 only, the JDK's own
 * implementation. Handshake, upload, output and result all go inside it.
 */
public final class ServerTls
{
    public static final String PROTOCOL = "TLSv1.3";

    private final SSLContext context;

    private ServerTls(final SSLContext context)
    {
        this.context = context;
    }

    /** @param passwordFile holds the keystore's password (its first line). */
    public static ServerTls load(final Path keystore, final Path passwordFile) throws IOException
    {
        final char[] password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst()
            .orElse("").toCharArray();
        try (InputStream in = Files.newInputStream(keystore))
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            final SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keys.getKeyManagers(), null, null);
            return new ServerTls(context);
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw new IOException("cannot use " + keystore + " as a PKCS#12 keystore with the password in " +
                passwordFile + ": " + ex.getMessage(), ex);
        }
    }

    /** An unbound server socket that speaks TLS 1.3 only. */
    public ServerSocket newServerSocket() throws IOException
    {
        final SSLServerSocket socket = (SSLServerSocket)context.getServerSocketFactory().createServerSocket();
        socket.setEnabledProtocols(new String[] {PROTOCOL});
        return socket;
    }
}
