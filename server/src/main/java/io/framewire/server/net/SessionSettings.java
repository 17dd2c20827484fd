package io.framewire.server.net;

import io.framewire.server.access.TokenFile;
import io.framewire.server.media.EncoderSettings;

import java.nio.file.Path;

/**
 * What a client session needs of the server's settings.
 *
 * @param dataDir           where the job's upload and output live while it runs.
 * @param readTimeoutMs     a client silent this long is dropped.
 * @param maxHandshakeBytes largest handshake message accepted.
 * @param maxUploadBytes    largest upload accepted.
 * @param maxJobs           jobs processed at once, for the {@code busy} message.
 * @param defaultProcessing processing used when the handshake names none.
 * @param codec             output codec when the handshake names none.
 * @param encoder           x264's settings.
 * @param tokens            the clients admitted; null for a server open to anyone who reaches it.
 */
public record SessionSettings(Path dataDir, int readTimeoutMs, int maxHandshakeBytes, long maxUploadBytes,
    int maxJobs, String defaultProcessing, String codec, EncoderSettings encoder, TokenFile tokens)
{
}
