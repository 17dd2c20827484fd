package io.framewire.codec;

import java.util.Map;
import java.util.TreeMap;
import java.util.Collections;

/**
 * The job a client asks for. Decoded from either the JSON or the SBE form of the handshake; both give an
 * equal record.
 *
 * @param version    protocol version the client speaks.
 * @param processing processing type, e.g. {@code blur}; empty means the server's default.
 * @param protocol   {@code file} or {@code stream}.
 * @param fileName   name of the uploaded file, for logs and temporary file suffixes only.
 * @param fileSize   size of the upload in bytes.
 * @param params     filter parameters, sorted by name.
 * @param codec      {@code h264} or {@code vp9}; empty means the server's {@code --codec}.
 * @param container  {@code mp4} or {@code webm}: the output file's format.
 * @param bitrateKbps output video bitrate in kbit/s; 0 lets the server pick.
 * @param token      the client's secret for a server started with {@code --auth-tokens}; empty for none.
 */
public record Handshake(int version, String processing, String protocol, String fileName, long fileSize,
    Map<String, String> params, String codec, String container, long bitrateKbps, String token)
    implements ControlMessage
{
    public static final int PROTOCOL_VERSION = 1;

    public Handshake
    {
        processing = processing == null ? "" : processing;
        protocol = protocol == null ? "file" : protocol;
        fileName = fileName == null ? "" : fileName;
        params = params == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(params));
        codec = codec == null ? "" : codec;
        container = container == null || container.isEmpty() ? "mp4" : container;
        token = token == null ? "" : token;
    }

    /** A handshake with no token. */
    public Handshake(final int version, final String processing, final String protocol, final String fileName,
        final long fileSize, final Map<String, String> params, final String codec, final String container,
        final long bitrateKbps)
    {
        this(version, processing, protocol, fileName, fileSize, params, codec, container, bitrateKbps, "");
    }

    /** Never shows the token: handshakes end up in logs and test reports. */
    @Override
    public String toString()
    {
        return "Handshake[version=" + version + ", processing=" + processing + ", protocol=" + protocol +
            ", fileName=" + fileName + ", fileSize=" + fileSize + ", params=" + params + ", codec=" + codec +
            ", container=" + container + ", bitrateKbps=" + bitrateKbps + ", token=" +
            (token.isEmpty() ? "none" : "(given)") + "]";
    }

    /** A handshake for the server's codec and an MP4 output. */
    public Handshake(final int version, final String processing, final String protocol, final String fileName,
        final long fileSize, final Map<String, String> params)
    {
        this(version, processing, protocol, fileName, fileSize, params, "", "mp4", 0);
    }
}
