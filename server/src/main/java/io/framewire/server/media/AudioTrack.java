package io.framewire.server.media;

import org.bytedeco.javacv.Frame;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * A job's audio on its way from the decoder to the encoder: decoded sample frames, copied (the grabber reuses its
 * own), in order. Audio skips the workers; the encoder writes each chunk once the video has reached its time, so
 * the two stay in sync.
 */
public final class AudioTrack implements AutoCloseable
{
    private final OneToOneConcurrentArrayQueue<Frame> chunks = new OneToOneConcurrentArrayQueue<>(1024);
    private final int sampleRate;
    private final int channels;

    public AudioTrack(final int sampleRate, final int channels)
    {
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    public int sampleRate()
    {
        return sampleRate;
    }

    public int channels()
    {
        return channels;
    }

    /** Decoder. @return false when full; offer the same copy again later. */
    boolean offer(final Frame copy)
    {
        return chunks.offer(copy);
    }

    /** Encoder: the next chunk if it starts at or before {@code timestampUs}, else null. */
    Frame pollUpTo(final long timestampUs)
    {
        final Frame next = chunks.peek();
        return next != null && next.timestamp <= timestampUs ? chunks.poll() : null;
    }

    /** Encoder: the next chunk if it has at most {@code samples} samples, else null. */
    Frame pollAtMost(final long samples)
    {
        final Frame next = chunks.peek();
        return next != null && samples(next) <= samples ? chunks.poll() : null;
    }

    /** Samples (per channel) in a chunk, from its buffers' positions on. */
    int samples(final Frame chunk)
    {
        final int remaining = chunk.samples[0].remaining();
        return chunk.samples.length > 1 ? remaining : remaining / channels;
    }

    /** Leaves out a chunk's first {@code samples} samples. */
    void skip(final Frame chunk, final int samples)
    {
        final int elements = chunk.samples.length > 1 ? samples : samples * channels;
        for (final var buffer : chunk.samples)
        {
            buffer.position(buffer.position() + elements);
        }
    }

    @Override
    public void close()
    {
        Frame frame;
        while ((frame = chunks.poll()) != null)
        {
            frame.close();
        }
    }
}
