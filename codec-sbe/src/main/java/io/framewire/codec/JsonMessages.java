package io.framewire.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON encoding of {@link ControlMessage}s. Field names are snake_case and every message has a {@code type}.
 */
public final class JsonMessages
{
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonMessages()
    {
    }

    public static byte[] encode(final ControlMessage message)
    {
        final ObjectNode node = MAPPER.createObjectNode();
        switch (message)
        {
            case Handshake h ->
            {
                node.put("type", "handshake");
                node.put("version", h.version());
                node.put("processing", h.processing());
                node.put("protocol", h.protocol());
                node.put("file_name", h.fileName());
                node.put("file_size", h.fileSize());
                final ObjectNode params = node.putObject("params");
                h.params().forEach(params::put);
                node.put("codec", h.codec());
                node.put("container", h.container());
                node.put("bitrate_kbps", h.bitrateKbps());
                if (!h.token().isEmpty())
                {
                    node.put("token", h.token());
                }
            }
            case ControlMessage.Ready r ->
            {
                node.put("type", "ready");
                node.put("job", r.jobId());
                node.put("max_chunk_bytes", r.maxChunkBytes());
                if (r.previewPort() > 0)
                {
                    node.put("preview_port", r.previewPort());
                }
                if (r.viewToken() != null)
                {
                    node.put("view_token", r.viewToken());
                }
                if (r.resumeToken() != null)
                {
                    node.put("resume_token", r.resumeToken());
                }
                if (r.uploadOffset() >= 0)
                {
                    node.put("upload_offset", r.uploadOffset());
                }
                if (r.outputOffset() >= 0)
                {
                    node.put("output_offset", r.outputOffset());
                }
            }
            case ControlMessage.Resume r ->
            {
                node.put("type", "resume");
                node.put("resume_token", r.resumeToken());
                node.put("offset", r.offset());
                if (!r.token().isEmpty())
                {
                    node.put("token", r.token());
                }
            }
            case ControlMessage.Cancel c -> node.put("type", "cancel");
            case ControlMessage.DataChunk c ->
            {
                node.put("type", "frame");
                node.put("sequence", c.sequence());
                node.put("crc32c", c.crc32c());
                node.put("data", Base64.getEncoder().encodeToString(c.data()));
            }
            case ControlMessage.Eof e ->
            {
                node.put("type", "eof");
                node.put("size", e.size());
                node.put("sha256", e.sha256());
            }
            case ControlMessage.Progress p ->
            {
                node.put("type", "progress");
                node.put("frames_done", p.framesDone());
                if (p.framesTotal() >= 0)
                {
                    node.put("frames_total", p.framesTotal());
                }
                else
                {
                    node.putNull("frames_total");
                }
                node.put("fps", p.fps());
            }
            case ControlMessage.Notice n ->
            {
                node.put("type", "notice");
                node.put("code", n.code());
                node.put("message", n.message());
            }
            case ControlMessage.Result r ->
            {
                node.put("type", "result");
                node.setAll(r.body());
            }
            case ControlMessage.Error e ->
            {
                node.put("type", "error");
                node.put("code", e.code());
                node.put("message", e.message());
            }
        }
        try
        {
            return MAPPER.writeValueAsBytes(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static ControlMessage decode(final byte[] bytes, final int offset, final int length)
        throws ProtocolException
    {
        final JsonNode node;
        try
        {
            node = MAPPER.readTree(bytes, offset, length);
        }
        catch (final IOException ex)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "malformed JSON: " + firstLine(ex.getMessage()));
        }
        if (!(node instanceof ObjectNode object))
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "a JSON message must be an object");
        }
        final String type = text(object, "type", true);
        return switch (type)
        {
            case "handshake" -> decodeHandshake(object);
            case "ready" -> new ControlMessage.Ready(text(object, "job", true), (int)number(object, "max_chunk_bytes"),
                object.has("preview_port") ? (int)number(object, "preview_port") : 0,
                object.hasNonNull("view_token") ? object.get("view_token").asText() : null,
                object.hasNonNull("resume_token") ? object.get("resume_token").asText() : null,
                object.has("upload_offset") ? number(object, "upload_offset") : -1,
                object.has("output_offset") ? number(object, "output_offset") : -1);
            case "resume" -> new ControlMessage.Resume(text(object, "resume_token", true), number(object, "offset"),
                object.hasNonNull("token") ? object.get("token").asText() : "");
            case "cancel" -> new ControlMessage.Cancel();
            case "frame" -> decodeChunk(object);
            case "eof" -> new ControlMessage.Eof(number(object, "size"), text(object, "sha256", true));
            case "progress" -> new ControlMessage.Progress(number(object, "frames_done"),
                object.hasNonNull("frames_total") ? number(object, "frames_total") : -1,
                object.path("fps").asDouble());
            case "result" ->
            {
                final ObjectNode body = object.deepCopy();
                body.remove("type");
                yield new ControlMessage.Result(body);
            }
            case "notice" -> new ControlMessage.Notice(text(object, "code", true), text(object, "message", false));
            case "error" -> new ControlMessage.Error(text(object, "code", true), text(object, "message", false));
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + type + "'");
        };
    }

    private static Handshake decodeHandshake(final ObjectNode node) throws ProtocolException
    {
        final Map<String, String> params = new TreeMap<>();
        final JsonNode paramsNode = node.get("params");
        if (paramsNode != null && !paramsNode.isNull())
        {
            if (!paramsNode.isObject())
            {
                throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "handshake field 'params' must be an object");
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = paramsNode.properties().iterator(); it.hasNext(); )
            {
                final Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isValueNode())
                {
                    throw new ProtocolException(
                        ErrorCode.BAD_HANDSHAKE, "parameter '" + entry.getKey() + "' must be a string or number");
                }
                params.put(entry.getKey(), entry.getValue().asText());
            }
        }
        final JsonNode version = node.get("version");
        return new Handshake(
            version == null ? Handshake.PROTOCOL_VERSION : (int)number(node, "version"),
            text(node, "processing", false),
            text(node, "protocol", false),
            text(node, "file_name", false),
            number(node, "file_size"),
            params,
            text(node, "codec", false),
            text(node, "container", false),
            node.has("bitrate_kbps") ? number(node, "bitrate_kbps") : 0,
            text(node, "token", false));
    }

    private static ControlMessage.DataChunk decodeChunk(final ObjectNode node) throws ProtocolException
    {
        final byte[] data;
        try
        {
            data = Base64.getDecoder().decode(text(node, "data", true));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "field 'data' is not base64");
        }
        return new ControlMessage.DataChunk(number(node, "sequence"), number(node, "crc32c"), data);
    }

    private static String text(final ObjectNode node, final String field, final boolean required)
        throws ProtocolException
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            if (required)
            {
                throw new ProtocolException(ErrorCode.BAD_MESSAGE, "missing field '" + field + "'");
            }
            return null;
        }
        if (!value.isTextual())
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "field '" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static long number(final ObjectNode node, final String field) throws ProtocolException
    {
        final JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber())
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "field '" + field + "' must be an integer");
        }
        return value.longValue();
    }

    private static String firstLine(final String text)
    {
        if (text == null)
        {
            return "unreadable";
        }
        final int newLine = text.indexOf('\n');
        return newLine < 0 ? text : text.substring(0, newLine);
    }
}
