package io.framewire.server.media;

import java.util.List;

/**
 * How the server's x264 encodes H.264, the same for every job: its preset, its constant rate factor (used when a
 * job names no bitrate), and whether frames may wait in the encoder (B-frames, lookahead) or must leave at once,
 * as a live (paced) source needs.
 *
 * @param preset      one of x264's {@link #PRESETS}.
 * @param crf         constant rate factor, 0 (lossless) to 51; x264's and FFmpeg's default is 23.
 * @param zeroLatency x264's {@code tune=zerolatency}: no frame is held back for B-frames or lookahead.
 */
public record EncoderSettings(String preset, int crf, boolean zeroLatency)
{
    public static final List<String> PRESETS = List.of("ultrafast", "superfast", "veryfast", "faster", "fast",
        "medium", "slow", "slower", "veryslow", "placebo");

    /** The default preset, chosen by measurement (docs/perf.md, "x264 presets"). */
    public static final String DEFAULT_PRESET = "veryfast";
    public static final int DEFAULT_CRF = 23;
    public static final EncoderSettings DEFAULT = new EncoderSettings(DEFAULT_PRESET, DEFAULT_CRF, false);

    /** @return null when the settings are valid, else why not. */
    public static String check(final String preset, final int crf)
    {
        if (!PRESETS.contains(preset))
        {
            return "preset '" + preset + "' is not one of x264's: " + String.join(", ", PRESETS);
        }
        if (crf < 0 || crf > 51)
        {
            return "crf " + crf + " is outside 0..51";
        }
        return null;
    }
}
