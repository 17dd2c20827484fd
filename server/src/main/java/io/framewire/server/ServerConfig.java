package io.framewire.server;

import io.framewire.server.media.EncoderSettings;

import java.net.InetAddress;
import java.nio.file.Path;

/**
 * Settings of a server instance.
 *
 * @param bind              address to listen on; {@code ::} takes IPv4 clients too (dual stack).
 * @param port              TCP port for clients; 0 picks a free one.
 * @param aeronDir          Aeron directory, shared with local workers.
 * @param embeddedDriver    launch the media driver in this process (otherwise use a running one).
 * @param dataDir           where uploads and outputs live while a job runs.
 * @param window            frames of one job in flight at once.
 * @param maxJobs           jobs processed at once; more are refused with {@code busy}.
 * @param maxUploadBytes    largest upload accepted.
 * @param maxHandshakeBytes largest handshake message accepted.
 * @param readTimeoutMs     a client silent this long is dropped.
 * @param frameTimeoutMs    a frame not back from its worker in this time is sent to another.
 * @param defaultProcessing processing used when the handshake names none.
 * @param previewPort       port of the preview web server on {@code bind}; 0 picks a free one, -1 runs none.
 * @param codec             output codec when the handshake names none: {@code h264} or {@code vp9}.
 * @param thumbnails        JPEG thumbnails made per job, evenly spaced; 0 for none.
 * @param workerRateLimit   most frames per second sent to one worker; 0 for no limit.
 * @param workerEndpoint    host:port taking results and heartbeats from workers on other hosts over UDP; null
 *                          for workers on this host only.
 * @param paced             decode every job no faster than its video plays, as from a live source (benchmarks).
 * @param encoder           x264's preset and constant rate factor; paced servers encode with zero latency.
 */
public record ServerConfig(InetAddress bind, int port, String aeronDir, boolean embeddedDriver, Path dataDir,
    int window, int maxJobs, long maxUploadBytes, int maxHandshakeBytes, int readTimeoutMs, long frameTimeoutMs, String defaultProcessing,
    int previewPort, String codec, int thumbnails, double workerRateLimit, String workerEndpoint, boolean paced,
    EncoderSettings encoder)
{
    /** Workers on this host only. */
    public ServerConfig(final InetAddress bind, final int port, final String aeronDir, final boolean embeddedDriver,
        final Path dataDir, final int window, final int maxJobs, final long maxUploadBytes, final int maxHandshakeBytes,
        final int readTimeoutMs, final long frameTimeoutMs, final String defaultProcessing, final int previewPort,
        final String codec, final int thumbnails, final double workerRateLimit)
    {
        this(bind, port, aeronDir, embeddedDriver, dataDir, window, maxJobs, maxUploadBytes, maxHandshakeBytes,
            readTimeoutMs, frameTimeoutMs, defaultProcessing, previewPort, codec, thumbnails, workerRateLimit, null,
            false, EncoderSettings.DEFAULT);
    }

    /** Workers on other hosts too, over UDP on {@code workerEndpoint}. */
    public ServerConfig(final InetAddress bind, final int port, final String aeronDir, final boolean embeddedDriver,
        final Path dataDir, final int window, final int maxJobs, final long maxUploadBytes, final int maxHandshakeBytes,
        final int readTimeoutMs, final long frameTimeoutMs, final String defaultProcessing, final int previewPort,
        final String codec, final int thumbnails, final double workerRateLimit, final String workerEndpoint)
    {
        this(bind, port, aeronDir, embeddedDriver, dataDir, window, maxJobs, maxUploadBytes, maxHandshakeBytes,
            readTimeoutMs, frameTimeoutMs, defaultProcessing, previewPort, codec, thumbnails, workerRateLimit,
            workerEndpoint, false, EncoderSettings.DEFAULT);
    }
}
