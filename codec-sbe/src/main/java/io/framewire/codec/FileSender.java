package io.framewire.codec;


import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * Sends a file as SBE {@code FileChunk}s, each with its CRC32C, then an {@code eof} carrying the size and the
 * SHA-256 of the whole file. One buffer is reused for every chunk.
 */
public final class FileSender
{
    public static final int DEFAULT_CHUNK_BYTES = 1024 * 1024;

    private FileSender()
    {
    }

    /**
     * @param progress told the number of bytes sent so far after every chunk.
     * @return the SHA-256 of the file, lower-case hex.
     */
    public static String send(final Path file, final MessageStream stream, final int chunkBytes,
        final LongConsumer progress) throws IOException
    {
        return send(file, stream, chunkBytes, 0, progress);
    }

    /**
     * Sends the file from byte {@code offset} on, to a receiver that has the bytes before it; {@code eof} carries
     * the whole file's size and SHA-256.
     *
     * @return the SHA-256 of the whole file, lower-case hex.
     */
    public static String send(final Path file, final MessageStream stream, final int chunkBytes, final long offset,
        final LongConsumer progress) throws IOException
    {
        final MessageDigest sha256 = Sha256.newDigest();
        final byte[] chunk = new byte[chunkBytes];
        final FileChunkWriter writer = new FileChunkWriter(chunkBytes);
        long sent = 0;
        long sequence = 0;
        try (InputStream in = Files.newInputStream(file))
        {
            long skipped = 0;
            while (skipped < offset)
            {
                final int read = in.readNBytes(chunk, 0, (int)Math.min(chunkBytes, offset - skipped));
                if (read <= 0)
                {
                    break;
                }
                sha256.update(chunk, 0, read);
                skipped += read;
            }
            sent = skipped;
            int read;
            while ((read = in.readNBytes(chunk, 0, chunkBytes)) > 0)
            {
                sha256.update(chunk, 0, read);
                writer.write(stream, sequence++, chunk, read);
                sent += read;
                progress.accept(sent);
            }
        }
        final String hex = HexFormat.of().formatHex(sha256.digest());
        stream.write(new ControlMessage.Eof(sent, hex));
        stream.flush();
        return hex;
    }
}
