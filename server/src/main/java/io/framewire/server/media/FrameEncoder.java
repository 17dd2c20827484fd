package io.framewire.server.media;

import io.framewire.codec.ErrorCode;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.Job;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.Frame;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import io.framewire.server.metrics.PreviewGif;
import io.framewire.server.metrics.Thumbnails;
import java.nio.ByteBuffer;

/**
 * Encodes a job's processed frames in order, straight from their {@link FrameRing} slots, and frees each slot
 * for the decoder. Every few frames a downscaled copy goes to the job's preview GIF.
 */
public final class FrameEncoder implements Agent
{
    private final Job job;
    private final FFmpegFrameRecorder recorder;
    private final FrameRing ring;
    private final PreviewGif gif;
    private final AudioTrack audio;
    private final Thumbnails thumbnails;
    /** The output frame number of the ring's first frame: 0, or where a carried-on job's output goes on. */
    private final long firstFrameNumber;
    private long lastFrameNumber;
    /** Input audio samples still to leave out: those a carried-on job's output has already. */
    private long audioSkip;
    private final double frameRate;
    /** The frame grown to even sides by repeating its last column or row, for odd-sized inputs; else null. */
    private final Mat padded;
    private final int gifEvery;
    private final Mat small = new Mat();
    private final Size gifSize;
    /** A Mat over each ring slot's result, made once. */
    private final Mat[] slotFrames;
    private final BytePointer[] slotPointers;
    /** The frame being encoded as YUV 4:2:0, the encoder's own format. */
    private final BytePointer i420Pixels;
    private final Mat i420;
    private final ByteBuffer i420Buffer;

    /**
     * @param recorder started by {@link VideoSink}; closed by its owner.
     * @param gif      receives every {@link PreviewGif#every}-th frame, downscaled.
     */
    public FrameEncoder(final Job job, final FFmpegFrameRecorder recorder, final PreviewGif gif,
        final Thumbnails thumbnails, final AudioTrack audio)
    {
        this(job, recorder, gif, thumbnails, audio, 0, 0);
    }

    /**
     * For a job carried on from a stopped server's output ({@link FrameRing#startAt}): the encoder starts afresh
     * at the ring's first frame.
     *
     * @param firstFrameNumber that frame's number on the output's frame-rate grid, where the kept output ends.
     * @param audioSkip        input audio samples to leave out at the start.
     */
    public FrameEncoder(final Job job, final FFmpegFrameRecorder recorder, final PreviewGif gif,
        final Thumbnails thumbnails, final AudioTrack audio, final long firstFrameNumber, final long audioSkip)
    {
        this.firstFrameNumber = firstFrameNumber;
        this.lastFrameNumber = firstFrameNumber - 1;
        this.audioSkip = audioSkip;
        this.thumbnails = thumbnails;
        this.audio = audio;
        this.job = job;
        this.recorder = recorder;
        this.ring = job.ring();
        this.gif = gif;
        this.gifEvery = PreviewGif.every(job.frameRate());
        this.frameRate = recorder.getFrameRate();
        this.gifSize = new Size(PreviewGif.WIDTH, gifHeight(job.width(), job.height()));
        slotFrames = new Mat[ring.capacity()];
        slotPointers = new BytePointer[ring.capacity()];
        for (int i = 0; i < slotFrames.length; i++)
        {
            slotPointers[i] = new BytePointer(ring.resultByteBuffer(i));
            slotFrames[i] = new Mat(job.height(), job.width(), opencv_core.CV_8UC3, slotPointers[i]);
        }
        final int width = VideoSink.even(job.width());
        final int height = VideoSink.even(job.height());
        padded = width != job.width() || height != job.height() ? new Mat(height, width, opencv_core.CV_8UC3) : null;
        i420Pixels = new BytePointer((long)width * height * 3 / 2);
        i420 = new Mat(height * 3 / 2, width, opencv_core.CV_8UC1, i420Pixels);
        i420Buffer = i420Pixels.asBuffer();
    }

    /** Height of the preview frames: the aspect ratio kept, rounded to even. */
    public static int gifHeight(final int width, final int height)
    {
        return Math.max(2, (int)Math.round(PreviewGif.WIDTH * (double)height / width / 2) * 2);
    }

    @Override
    public int doWork() throws Exception
    {
        if (job.failure() != null)
        {
            throw new AgentTerminationException();
        }
        final long next = ring.encoded();
        if (next == ring.totalFrames())
        {
            if (next == ring.firstFrame() && next > 0)
            {
                audioSkip = Long.MAX_VALUE; // the kept output has every frame, so its last fragment all the audio
            }
            writeAudioUpTo(Long.MAX_VALUE);
            throw new AgentTerminationException();
        }
        if (!ring.isCompleted(next))
        {
            return audioSkip > 0 ? dropSkippedAudio() : 0;
        }
        try
        {
            // Keep the input's timing: variable frame rates and gaps survive, on the output's frame-rate grid.
            final long timestampUs = ring.timestampUs(next);
            writeAudioUpTo(timestampUs);
            // The output's time base is one frame at the input's base rate: a gap in the input stays a gap. Two
            // timestamps closer than a frame on that grid still get frames of their own: the muxer takes no repeat.
            lastFrameNumber = Math.max(lastFrameNumber + 1,
                Math.round((timestampUs - ring.firstTimestampUs()) * frameRate / 1_000_000.0));
            recorder.setFrameNumber((int)(lastFrameNumber - firstFrameNumber));
            Mat pixels = slotFrames[ring.slotOf(next)];
            if (padded != null)
            {
                opencv_core.copyMakeBorder(pixels, padded, 0, padded.rows() - pixels.rows(), 0,
                    padded.cols() - pixels.cols(), opencv_core.BORDER_REPLICATE);
                pixels = padded;
            }
            // OpenCV converts to YUV 4:2:0 (on its thread pool) faster than FFmpeg's swscale does inside
            // recordImage on this thread, the job's bottleneck: 11.8 instead of 14.5 ms per 720p frame here.
            opencv_imgproc.cvtColor(pixels, i420, opencv_imgproc.COLOR_BGR2YUV_I420);
            recorder.recordImage(pixels.cols(), pixels.rows(), Frame.DEPTH_UBYTE, 1, pixels.cols(),
                avutil.AV_PIX_FMT_YUV420P, i420Buffer);
        }
        catch (final FFmpegFrameRecorder.Exception ex)
        {
            job.fail(ErrorCode.PROCESSING_FAILED, "encoding frame " + next + " failed: " + ex.getMessage());
            throw new AgentTerminationException(ex);
        }
        job.stats().onEncoded(next, ring.decodedAtNs(next), System.nanoTime());
        final boolean forGif = next % gifEvery == 0;
        final boolean forThumbnail = thumbnails.wants(next);
        if (forGif || forThumbnail)
        {
            final byte[] small = downscale(next);
            if (forGif)
            {
                gif.add(small);
            }
            if (forThumbnail)
            {
                thumbnails.add(next, small);
            }
        }
        ring.releaseEncoded();
        return 1;
    }

    /** Audio chunks due by the video's time go in first, so the two stay interleaved and in sync. */
    private void writeAudioUpTo(final long timestampUs) throws FFmpegFrameRecorder.Exception
    {
        if (audio == null)
        {
            return;
        }
        Frame chunk;
        while ((chunk = audio.pollUpTo(timestampUs)) != null)
        {
            try
            {
                if (audioSkip > 0)
                {
                    final int samples = audio.samples(chunk);
                    final int skip = (int)Math.min(samples, audioSkip);
                    audio.skip(chunk, skip);
                    audioSkip -= skip;
                    if (skip == samples)
                    {
                        continue;
                    }
                }
                recorder.recordSamples(audio.sampleRate(), audio.channels(), chunk.samples);
            }
            finally
            {
                chunk.close();
            }
        }
    }

    /**
     * While a carried-on job's first frame is not ready: audio chunks wholly before the output's end go, so that
     * audio decoded with the frames skipped does not fill the queue and stop the decoder.
     */
    private int dropSkippedAudio()
    {
        final Frame chunk = audio.pollAtMost(audioSkip);
        if (chunk == null)
        {
            return 0;
        }
        audioSkip -= audio.samples(chunk);
        chunk.close();
        return 1;
    }

    /** A BGR copy of the frame at the preview size, for the GIF and the thumbnails. */
    private byte[] downscale(final long frame)
    {
        opencv_imgproc.resize(slotFrames[ring.slotOf(frame)], small, gifSize, 0, 0, opencv_imgproc.INTER_AREA);
        final byte[] bytes = new byte[(int)(small.total() * small.channels())];
        small.data().get(bytes);
        return bytes;
    }

    @Override
    public void onClose()
    {
        small.close();
        gifSize.close();
        for (int i = 0; i < slotFrames.length; i++)
        {
            slotFrames[i].close();
            slotPointers[i].close();
        }
        i420.close();
        i420Pixels.close();
        if (padded != null)
        {
            padded.close();
        }
    }

    @Override
    public String roleName()
    {
        return "frame-encoder-" + job.id();
    }
}
