package io.framewire.server.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Creates {@code file} empty and private, replacing one left there; returns it. */
    static Path create(final Path file) throws IOException
    {
        Files.deleteIfExists(file);
        return Files.createFile(file, OWNER_ONLY);
    }
}
