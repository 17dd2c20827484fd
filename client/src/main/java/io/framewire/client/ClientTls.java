package io.framewire.client;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * The client's side of TLS: TLS 1.3, the server's certificate checked against {@code --ca} (PEM certificates) or the
 * system's trusted authorities, and its name against the host the client was told to reach.
 */
final class ClientTls
{
    private ClientTls()
    {
    }

    /** {@code plain}, connected to {@code host}, wrapped in TLS with its handshake done. */
    static SSLSocket wrap(final Socket plain, final String host, final int port, final Path ca)
        throws IOException, GeneralSecurityException
    {
        final SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, ca == null ? null : trust(ca).getTrustManagers(), null);
        final SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket(plain, host, port, true);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static TrustManagerFactory trust(final Path ca) throws IOException, GeneralSecurityException
    {
        final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(ca))
        {
            int n = 0;
            for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in))
            {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0)
            {
                throw new IOException(ca + " holds no PEM certificate");
            }
        }
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory;
    }
}
