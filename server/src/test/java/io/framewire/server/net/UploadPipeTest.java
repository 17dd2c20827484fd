package io.framewire.server.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.io.UncheckedIOException;

/** The upload as the stream protocol's decoder reads it while it arrives. */
class UploadPipeTest
{
    @TempDir
    Path dir;

    @Test
    void aReaderThatOpensBeforeTheFirstByteWaitsForIt() throws Exception
    {
        // The job's decoder opens the upload on its own thread, possibly before the receiver has written anything.
        final UploadPipe pipe = UploadPipe.create(dir.resolve("job.upload"));
        try (InputStream in = pipe.input())
        {
            final CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return in.readAllBytes();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }, runnable -> Thread.ofPlatform().daemon().start(runnable));
            Thread.sleep(100);
            assertFalse(read.isDone(), "the reader waits at the current end instead of seeing end of stream");
            try (OutputStream out = pipe.output())
            {
                out.write(new byte[] {1, 2, 3});
                out.write(new byte[] {4, 5});
            }
            assertEquals(5, pipe.written());
            pipe.complete();
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, read.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFailedUploadFailsTheReader() throws Exception
    {
        final UploadPipe pipe = UploadPipe.create(dir.resolve("failed.upload"));
        try (InputStream in = pipe.input(); OutputStream out = pipe.output())
        {
            out.write(new byte[] {9});
            assertEquals(9, in.read());
            pipe.fail();
            // The job stops at once rather than decoding a prefix of an upload the client abandoned.
            assertThrows(IOException.class, in::read);
        }
        assertFalse(pipe.awaitEnd());
    }
}
