package io.framewire.server.media;

import io.framewire.server.job.InputErrors;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import java.util.Locale;

/**
 * The decoder's account of its input: every frame gets a timestamp after the previous frame's (inputs lack them or
 * repeat them: AVI's last frames, packed B-frames), frames FFmpeg concealed errors in are counted, and at the end
 * the decoded frames are held against the duration the container declares, so a truncated file is never taken
 * for a whole one.
 */
final class InputCheck
{
    /** Frame intervals by which the last frame may end before the declared duration: containers round it. */
    private static final double END_TOLERANCE_FRAMES = 2.0;
    /** More slack where only the container's duration is known: its audio may outlast the video. */
    private static final long CONTAINER_DURATION_SLACK_US = 500_000;

    /** libavutil/frame.h; not among the presets' constants. */
    private static final int AV_FRAME_FLAG_CORRUPT = 1;

    private final VideoSource source;
    private AVFrame picture;
    private final long declaredDurationUs;
    private final boolean streamDuration;
    private final long frameIntervalUs;
    private long firstTimestampUs = Long.MIN_VALUE;
    private long lastTimestampUs = Long.MIN_VALUE;
    private long lastGapUs;
    private long concealed;
    private long firstConcealed = -1;
    private long repaired;
    private long lastAudioUs = Long.MIN_VALUE;

    InputCheck(final VideoSource source, final double frameRate)
    {
        this.source = source;
        this.declaredDurationUs = source.declaredDurationUs();
        this.streamDuration = source.hasStreamDuration();
        this.frameIntervalUs = Math.max(1, Math.round(1e6 / frameRate));
    }

    /**
     * A frame decoded: notes its errors, and returns its timestamp made valid (after the previous frame's).
     *
     * @param frame       its number in the job.
     * @param timestampUs what the grabber says.
     */
    long decoded(final long frame, final long timestampUs)
    {
        if (frame == 0)
        {
            picture = source.decodedPicture(); // JavaCV's, allocated by the time a frame decoded
        }
        if (picture != null && (picture.decode_error_flags() != 0 ||
            (picture.flags() & AV_FRAME_FLAG_CORRUPT) != 0))
        {
            if (concealed++ == 0)
            {
                firstConcealed = frame;
            }
        }
        long valid = timestampUs;
        if (lastTimestampUs != Long.MIN_VALUE && valid <= lastTimestampUs)
        {
            valid = lastTimestampUs + frameIntervalUs;
            repaired++;
        }
        if (firstTimestampUs == Long.MIN_VALUE)
        {
            firstTimestampUs = valid;
        }
        else
        {
            lastGapUs = valid - lastTimestampUs;
        }
        lastTimestampUs = valid;
        return valid;
    }

    /** An audio frame decoded, starting at {@code timestampUs}: a container's duration spans its audio too. */
    void audioDecoded(final long timestampUs)
    {
        lastAudioUs = Math.max(lastAudioUs, timestampUs);
    }

    /** Decoding reached the end of the input after {@code frames} frames. */
    InputErrors atEnd(final long frames)
    {
        String stopped = null;
        if (declaredDurationUs > 0 && frames > 0)
        {
            final long lastDurationUs = Math.max(lastGapUs, frameIntervalUs);
            // A container's duration is the span of its timestamps in most formats, but where the timestamps
            // start is in Matroska: of the two readings, the one that finds the input whole counts.
            final long spanUs = lastTimestampUs - firstTimestampUs + lastDurationUs;
            // Only the container's duration known: it is the longest stream's, and audio that outlasts the video
            // reaching it says the input is whole (a cut file loses the ends of all its streams).
            final long endUs = streamDuration ? spanUs : Math.max(Math.max(spanUs, lastTimestampUs + lastDurationUs),
                lastAudioUs);
            final long slackUs = Math.round(END_TOLERANCE_FRAMES * Math.max(lastGapUs, frameIntervalUs)) +
                (streamDuration ? 0 : CONTAINER_DURATION_SLACK_US);
            if (endUs + slackUs < declaredDurationUs)
            {
                stopped = String.format(Locale.ROOT, "the input ends after %.2f s of video, its container " +
                    "declares %.2f s: it is truncated or its last frames do not decode", endUs / 1e6,
                    declaredDurationUs / 1e6);
            }
        }
        return new InputErrors(concealed, firstConcealed, repaired, stopped);
    }

    /** Decoding failed after {@code frames} frames. */
    InputErrors stoppedAt(final long frames, final String why)
    {
        return new InputErrors(concealed, firstConcealed, repaired, "decoding stopped after frame " + (frames - 1) +
            ": " + why);
    }
}
