package io.framewire.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/** Launches the media driver inside the server's process, the default deployment. */
public final class EmbeddedMediaDriver
{
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMediaDriver.class);

    private EmbeddedMediaDriver()
    {
    }

    /** A driver for IPC only. */
    public static MediaDriver launch(final String aeronDir)
    {
        return launch(aeronDir, false);
    }

    /**
     * One shared driver thread: on a 2-core host three busy conductor/sender/receiver threads would take the
     * cores the decoder, the encoder and the filters need. IPC data never passes through the driver, only
     * control does (publisher limits, term cleaning), so it parks for up to 1 ms when idle. UDP data does pass
     * through it, so with {@code udp} it parks for at most 50 µs: each park is latency added to a frame.
     */
    public static MediaDriver launch(final String aeronDir, final boolean udp)
    {
        final long maxParkNs = udp ? TimeUnit.MICROSECONDS.toNanos(50) : TimeUnit.MILLISECONDS.toNanos(1);
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(10), maxParkNs))
            .socketSndbufLength(TransportConfig.UDP_BUFFER_LENGTH)
            .socketRcvbufLength(TransportConfig.UDP_BUFFER_LENGTH)
            .initialWindowLength(TransportConfig.UDP_WINDOW_LENGTH)
            .ipcTermBufferLength(TransportConfig.TERM_LENGTH)
            .ipcMtuLength(TransportConfig.MTU_LENGTH)
            .publicationTermBufferLength(TransportConfig.TERM_LENGTH)
            .mtuLength(TransportConfig.MTU_LENGTH)
            .termBufferSparseFile(false);
        final MediaDriver driver = MediaDriver.launch(context);
        try
        {
            // The log buffers hold the frames in flight: the directory is its user's alone (workers of the same
            // user join it); files the driver makes later inherit nothing, but a 0700 directory hides them.
            Files.setPosixFilePermissions(Path.of(aeronDir), PosixFilePermissions.fromString("rwx------"));
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            LOG.warn("cannot make {} private to this user: {}", aeronDir, ex.toString());
        }
        LOG.info("embedded media driver started in {}", aeronDir);
        return driver;
    }
}
