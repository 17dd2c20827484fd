package io.framewire.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real TCP relay between a client and a server, for the tests of a broken network: {@link #cut()} breaks the open
 * connections (new ones are relayed after), and either direction may be slowed to a rate, so that an upload or a
 * download is still going when the test cuts it or stops the server. A server that is not there closes the client's
 * connection at once, as a host with nothing listening does.
 */
final class TcpRelay implements AutoCloseable
{
    private final ServerSocket listener;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final long upBytesPerSecond;
    private final long downBytesPerSecond;
    private volatile int connections;

    /** @param upBytesPerSecond the client's bytes to the server per second, 0 for as fast as they come. */
    TcpRelay(final int serverPort, final long upBytesPerSecond) throws IOException
    {
        this(serverPort, upBytesPerSecond, 0);
    }

    /** @param downBytesPerSecond the server's bytes to the client per second, 0 for as fast as they come. */
    TcpRelay(final int serverPort, final long upBytesPerSecond, final long downBytesPerSecond) throws IOException
    {
        this.upBytesPerSecond = upBytesPerSecond;
        this.downBytesPerSecond = downBytesPerSecond;
        listener = new ServerSocket();
        if (upBytesPerSecond > 0)
        {
            // A small window: what a stopped client had sent but the relay not yet passed on is little.
            listener.setReceiveBufferSize(64 * 1024);
        }
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() ->
        {
            while (!listener.isClosed())
            {
                final Socket client;
                try
                {
                    client = listener.accept();
                }
                catch (final IOException ex)
                {
                    return;
                }
                try
                {
                    final Socket upstream = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                    connections++;
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream, this.upBytesPerSecond);
                    pump(upstream, client, this.downBytesPerSecond);
                }
                catch (final IOException ex)
                {
                    closeQuietly(client); // no server there now
                }
            }
        });
    }

    private static void pump(final Socket from, final Socket to, final long bytesPerSecond)
    {
        Thread.ofVirtual().start(() ->
        {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                final byte[] buffer = new byte[16 * 1024];
                final long startNs = System.nanoTime();
                long sent = 0;
                int read;
                while ((read = in.read(buffer)) >= 0)
                {
                    out.write(buffer, 0, read);
                    sent += read;
                    if (bytesPerSecond > 0)
                    {
                        final long dueNs = startNs + sent * 1_000_000_000L / bytesPerSecond;
                        final long aheadNs = dueNs - System.nanoTime();
                        if (aheadNs > 0)
                        {
                            Thread.sleep(aheadNs / 1_000_000, (int)(aheadNs % 1_000_000));
                        }
                    }
                }
            }
            catch (final IOException | InterruptedException ignored)
            {
                // cut
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    int port()
    {
        return listener.getLocalPort();
    }

    /** Connections relayed to the server so far. */
    int connections()
    {
        return connections;
    }

    void cut()
    {
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
        cut();
    }
}
