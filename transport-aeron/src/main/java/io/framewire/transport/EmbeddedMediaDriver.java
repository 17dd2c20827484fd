package io.framewire.transport;

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

    /**
     * One shared driver thread: on a 2-core host three busy conductor/sender/receiver threads would take the
     * cores the decoder, the encoder and the filters need. The backoff parks for at most 100 µs when idle.
     */
    public static MediaDriver launch(final String aeronDir)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100)))
            .ipcTermBufferLength(TransportConfig.TERM_LENGTH)
            .ipcMtuLength(TransportConfig.MTU_LENGTH)
            .publicationTermBufferLength(TransportConfig.TERM_LENGTH)
            .mtuLength(TransportConfig.MTU_LENGTH)
            .termBufferSparseFile(true);
        final MediaDriver driver = MediaDriver.launch(context);
        LOG.info("embedded media driver started in {}", aeronDir);
        return driver;
    }
}
