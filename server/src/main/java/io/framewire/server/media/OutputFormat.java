package io.framewire.server.media;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.framewire.codec.OutputContainer;

import java.util.List;
import org.bytedeco.ffmpeg.avutil.AVDictionary;

/**
 * The codec and container of a job's output. H.264 goes to MP4 or MKV, with NVIDIA's encoder when one works on this
 * host, else x264 (FFmpeg's GPL build, the default) or libopenh264 (the LGPL build); VP9 (libvpx-vp9, real-time
 * settings) goes to MP4, WebM or MKV.
 *
 * @param codec       {@code h264} or {@code vp9}.
 * @param container   an {@link OutputContainer}'s wire name.
 * @param bitrateKbps video bitrate, 0 for the default (x264: constant quality at {@link EncoderSettings#crf};
 *                    the other encoders: 0.2 bits per pixel, at least 1 Mbit/s).
 * @param encoder     x264's settings.
 */
public record OutputFormat(String codec, String container, long bitrateKbps, EncoderSettings encoder)
{
    public static final long MIN_KBPS = 100;
    public static final long MAX_KBPS = 200_000;

    public static final List<String> CODECS = List.of("h264", "vp9");

    private static final Logger LOG = LoggerFactory.getLogger(OutputFormat.class);
    private static volatile Boolean nvencWorks;
    private static volatile Boolean x264Present;

    /** With the server's default encoder settings. */
    public OutputFormat(final String codec, final String container, final long bitrateKbps)
    {
        this(codec, container, bitrateKbps, EncoderSettings.DEFAULT);
    }

    /** @return null when the format is valid, else why not. */
    public static String check(final String codec, final String container, final long bitrateKbps)
    {
        if (bitrateKbps != 0 && (bitrateKbps < MIN_KBPS || bitrateKbps > MAX_KBPS))
        {
            return "bitrate " + bitrateKbps + " kbit/s is outside " + MIN_KBPS + ".." + MAX_KBPS;
        }
        if (!CODECS.contains(codec))
        {
            return "codec '" + codec + "' is unknown; use " + String.join(" or ", CODECS);
        }
        final OutputContainer known = OutputContainer.fromWireName(container);
        if (known == null)
        {
            return "container '" + container + "' is unknown; use one of " + OutputContainer.extensions();
        }
        if (!known.codecs().contains(codec))
        {
            return container + " holds " + String.join(" or ", known.codecs()) + ", not " + codec;
        }
        return null;
    }

    /**
     * The FFmpeg encoder to use: for H.264, h264_nvenc when it opens on this host, else libx264 when this FFmpeg build
     * has it (the GPL build), else libopenh264; libvpx-vp9 for VP9.
     */
    public String encoderName()
    {
        if ("vp9".equals(codec))
        {
            return "libvpx-vp9";
        }
        if (nvencUsable())
        {
            return "h264_nvenc";
        }
        return x264Present() ? "libx264" : "libopenh264";
    }

    /** Whether the default rate control is x264's constant quality (no bitrate named). */
    public boolean constantQuality()
    {
        return bitrateKbps == 0 && "libx264".equals(encoderName());
    }

    private static boolean x264Present()
    {
        Boolean present = x264Present;
        if (present == null)
        {
            final AVCodec x264 = avcodec.avcodec_find_encoder_by_name("libx264");
            present = x264 != null && !x264.isNull();
            x264Present = present;
        }
        return present;
    }

    public int codecId()
    {
        return "vp9".equals(codec) ? avcodec.AV_CODEC_ID_VP9 : avcodec.AV_CODEC_ID_H264;
    }

    /** The output's audio codec: Opus in WebM (the only audio it takes besides Vorbis), AAC elsewhere. */
    public String audioCodec()
    {
        return "webm".equals(container) ? "opus" : "aac";
    }

    /** FFmpeg's muxer name. */
    public String muxer()
    {
        return OutputContainer.fromWireName(container).muxer();
    }

    /**
     * Probed once: the LGPL build includes h264_nvenc, but it only opens with an NVIDIA driver and a GPU that has
     * NVENC (some datacenter GPUs, the H100 among them, have none).
     */
    static boolean nvencUsable()
    {
        Boolean works = nvencWorks;
        if (works == null)
        {
            works = probeNvenc();
            nvencWorks = works;
        }
        return works;
    }

    private static String softwareH264()
    {
        return x264Present() ? "libx264" : "libopenh264 (this FFmpeg build has no libx264: the LGPL build)";
    }

    private static boolean probeNvenc()
    {
        try
        {
            final AVCodec codec = avcodec.avcodec_find_encoder_by_name("h264_nvenc");
            if (codec == null || codec.isNull())
            {
                LOG.info("H.264 encoder: {} (this FFmpeg build has no h264_nvenc)", softwareH264());
                return false;
            }
            final AVCodecContext context = avcodec.avcodec_alloc_context3(codec);
            try
            {
                context.width(256).height(256).pix_fmt(avutil.AV_PIX_FMT_YUV420P)
                    .time_base(avutil.av_make_q(1, 25));
                final int result = avcodec.avcodec_open2(context, codec, (AVDictionary)null);
                if (result < 0)
                {
                    LOG.info("H.264 encoder: {} (h264_nvenc does not open here: error {})", softwareH264(), result);
                    return false;
                }
                LOG.info("H.264 encoder: h264_nvenc");
                return true;
            }
            finally
            {
                avcodec.avcodec_free_context(context);
            }
        }
        catch (final Throwable ex)
        {
            LOG.info("H.264 encoder: {} (h264_nvenc unavailable: {})", softwareH264(), ex.toString());
            return false;
        }
    }
}
