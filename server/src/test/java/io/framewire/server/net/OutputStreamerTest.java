package io.framewire.server.net;

import io.framewire.codec.FileReceiver;
import io.framewire.codec.MessageStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The output as the muxer writes it, over a real socket to the client's receiver. */
class OutputStreamerTest
{
    @TempDir
    Path dir;

    @Test
    void bytesTheMuxerWroteAreSentWithoutWaitingForTheNextWrite() throws Exception
    {
        final byte[] data = new byte[3 * 1024 * 1024 + 777];
        new Random(7).nextBytes(data);
        final Path output = dir.resolve("out.mp4");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Socket clientSocket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            Socket serverSocket = listener.accept();
            MessageStream client = new MessageStream(clientSocket.getInputStream(), clientSocket.getOutputStream(),
                4 << 20);
            MessageStream server = new MessageStream(serverSocket.getInputStream(), serverSocket.getOutputStream(),
                4 << 20))
        {
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final Object arrived = new Object();
            final CompletableFuture<String> sha256 = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return new FileReceiver(1L << 30).receive(client, received, ignored ->
                    {
                        synchronized (arrived)
                        {
                            arrived.notifyAll();
                        }
                    });
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, runnable -> Thread.ofPlatform().daemon().start(runnable));

            final OutputStreamer out = new OutputStreamer(output, server, () -> null, 10_000);
            // A header, then silence, as the muxer writes it before the first fragment is complete.
            out.write(data, 0, 1000);
            awaitReceived(received, arrived, 1000);

            // The rest in the muxer's small writes, crossing the 1 MiB chunk size.
            for (int offset = 1000; offset < data.length; offset += 4096)
            {
                out.write(data, offset, Math.min(4096, data.length - offset));
            }
            final String sent = out.finish();
            assertEquals(sent, sha256.get(30, TimeUnit.SECONDS));
            assertArrayEquals(data, received.toByteArray());
            assertArrayEquals(data, Files.readAllBytes(output), "the preview's copy of the output");
        }
    }

    /** Waits (10 s at most) until {@code expected} bytes have arrived with nothing written after them. */
    private static void awaitReceived(final ByteArrayOutputStream received, final Object arrived, final int expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (arrived)
        {
            while (received.size() < expected && System.nanoTime() < deadline)
            {
                arrived.wait(100);
            }
        }
        assertEquals(expected, received.size(), received.size() + " of the " + expected +
            " bytes written arrived, with no further write to push them out");
    }
}
