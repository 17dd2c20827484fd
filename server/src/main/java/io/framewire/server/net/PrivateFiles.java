package io.framewire.server.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files of a job (its upload, its output) made readable and writable by the server's user only: 0600. */
final class PrivateFiles
{
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private PrivateFiles()
    {
    }

    /**
     * Writes {@code bytes} to a new private file beside {@code target} and moves it over {@code target}, each on disk
     * before the next step (the file, then the directory's entry): a record a power cut may not lose or leave half.
     */
    static void replaceDurably(final Path target, final byte[] bytes) throws IOException
    {
        final Path next = create(target.resolveSibling(target.getFileName() + ".next"));
        try (FileChannel file = FileChannel.open(next, StandardOpenOption.WRITE))
        {
            file.write(ByteBuffer.wrap(bytes));
            file.force(true);
        }
        Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        sync(target.getParent());
    }

    /** Puts what is written of {@code path} (a file, or a directory's entries) on disk. */
    static void sync(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /** Creates {@code file} empty and private, replacing one left there; returns it. */
    static Path create(final Path file) throws IOException
    {
        Files.deleteIfExists(file);
        return Files.createFile(file, OWNER_ONLY);
    }
}
