package io.framewire.codec;

import java.util.List;
import java.util.Locale;

/**
 * The output files framewire writes: the client picks one from the extension of {@code --out}, as FFmpeg does, and
 * the server's muxer writes it. Each says which codecs it holds; the first is what the extension means alone.
 */
public enum OutputContainer
{
    MP4("mp4", "mp4", List.of("h264", "vp9")),
    WEBM("webm", "webm", List.of("vp9")),
    MKV("mkv", "matroska", List.of("h264", "vp9"));

    private final String wireName;
    private final String muxer;
    private final List<String> codecs;

    OutputContainer(final String wireName, final String muxer, final List<String> codecs)
    {
        this.wireName = wireName;
        this.muxer = muxer;
        this.codecs = codecs;
    }

    /** The handshake's {@code container} and the file extension. */
    public String wireName()
    {
        return wireName;
    }

    /** FFmpeg's muxer. */
    public String muxer()
    {
        return muxer;
    }

    public List<String> codecs()
    {
        return codecs;
    }

    /** Whether a codec may go in this container without being named: only WebM decides it (VP9). */
    public boolean impliesCodec()
    {
        return codecs.size() == 1;
    }

    /** @return the container of that wire name, or null. */
    public static OutputContainer fromWireName(final String wireName)
    {
        for (final OutputContainer container : values())
        {
            if (container.wireName.equals(wireName))
            {
                return container;
            }
        }
        return null;
    }

    /** @return the container a file name's extension asks for, or null for an extension none has. */
    public static OutputContainer forFileName(final String fileName)
    {
        final int dot = fileName.lastIndexOf('.');
        return dot < 0 ? null : fromWireName(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** {@code .mp4, .webm or .mkv}, for messages. */
    public static String extensions()
    {
        final StringBuilder names = new StringBuilder();
        final OutputContainer[] all = values();
        for (int i = 0; i < all.length; i++)
        {
            names.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append('.').append(all[i].wireName);
        }
        return names.toString();
    }
}
