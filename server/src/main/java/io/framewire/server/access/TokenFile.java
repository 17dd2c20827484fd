package io.framewire.server.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A file of token hashes: the clients a server started with {@code --auth-tokens FILE} accepts, or the scrapers
 * {@code --metrics-tokens FILE} lets read every job's metrics. The file holds one client a line, its name
 * and the SHA-256 of its token in hex ({@code alice 3b5d...}; {@code #} starts a comment), so the server never
 * stores a token itself; it is read again when it changes, so clients are added or removed without a restart. A
 * token is checked against every line with a constant-time comparison of the hashes.
 */
public final class TokenFile
{
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
    private static final int TOKEN_BITS = 256;
    private static final String PREFIX = "fw_";

    private record Entry(String name, byte[] hash)
    {
    }

    private final Path file;
    private volatile List<Entry> entries;
    private volatile FileTime readAt;

    private TokenFile(final Path file) throws IOException
    {
        this.file = file;
        reload();
    }

    /**
     * @throws IOException when the file cannot be read or has a malformed line (a server must not start with the
     *                     clients it was meant to admit silently missing).
     */
    public static TokenFile load(final Path file) throws IOException
    {
        return new TokenFile(file);
    }

    private synchronized void reload() throws IOException
    {
        final FileTime modified = Files.getLastModifiedTime(file);
        if (modified.equals(readAt))
        {
            return;
        }
        final List<Entry> read = new ArrayList<>();
        int number = 0;
        for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            number++;
            final String content = line.strip();
            if (content.isEmpty() || content.startsWith("#"))
            {
                continue;
            }
            final String[] fields = content.split("\\s+");
            if (fields.length != 2 || !fields[1].matches("[0-9a-fA-F]{64}"))
            {
                throw new IOException(file + " line " + number + ": expected 'NAME SHA256-HEX' (see " +
                    "./framewire token new)");
            }
            read.add(new Entry(fields[0], HexFormat.of().parseHex(fields[1])));
        }
        entries = List.copyOf(read);
        readAt = modified;
        LOG.info("{} tokens from {}", read.size(), file);
    }

    /** The name of the client {@code token} belongs to, or null when it belongs to none (or is empty). */
    public String authenticate(final String token)
    {
        try
        {
            reload();
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot read {} again ({}); the tokens read before stay in force", file, ex.getMessage());
        }
        final byte[] hash = Secrets.sha256(token);
        String name = null;
        for (final Entry entry : entries)
        {
            // Every entry is compared, each in constant time: the answer's timing tells nothing of the tokens.
            if (MessageDigest.isEqual(entry.hash(), hash) && !token.isEmpty())
            {
                name = entry.name();
            }
        }
        return name;
    }

    /** A new random token, and the line that admits it as {@code name}. */
    public static String[] newToken(final String name)
    {
        final String token = Secrets.newSecret(PREFIX, TOKEN_BITS);
        return new String[] {token, name + " " + HexFormat.of().formatHex(Secrets.sha256(token))};
    }
}
