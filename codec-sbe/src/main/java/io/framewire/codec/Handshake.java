package io.framewire.codec;

import java.util.Map;
import java.util.TreeMap;

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
 */
public record Handshake(int version, String processing, String protocol, String fileName, long fileSize,
    Map<String, String> params) implements ControlMessage
{
    public static final int PROTOCOL_VERSION = 1;

    public Handshake
    {
        processing = processing == null ? "" : processing;
        protocol = protocol == null ? "file" : protocol;
        fileName = fileName == null ? "" : fileName;
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }
}
