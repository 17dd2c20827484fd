package io.framewire.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON messages of the client connection: {@code handshake}, {@code resume}, {@code ready}, {@code frame},
 * {@code eof}, {@code progress}, {@code notice}, {@code cancel}, {@code result} and {@code error}.
 * {@link JsonMessages} encodes and decodes them.
 */
public sealed interface ControlMessage permits Handshake, ControlMessage.Resume, ControlMessage.Ready,
    ControlMessage.DataChunk, ControlMessage.Eof, ControlMessage.Progress, ControlMessage.Notice,
    ControlMessage.Cancel, ControlMessage.Result, ControlMessage.Error
{
    /**
     * Instead of a handshake: the client takes up a job it started, on a new connection, with the resume token
     * {@code ready} gave it; the server sends the output from byte {@code offset} on (what the client has), then
     * {@code eof} (the whole output's size and SHA-256) and the result; when the upload broke off, its {@code ready}
     * first asks for the rest of the upload. {@code token} is the client token, as in the handshake.
     */
    record Resume(String resumeToken, long offset, String token) implements ControlMessage
    {
    }

    /** The client no longer wants its job: the server stops it and frees everything. */
    record Cancel() implements ControlMessage
    {
    }

    /**
     * Server accepted the handshake; the client may upload. {@code previewPort} is the port of the server's preview
     * web server, where {@code /jobs/<jobId>/?token=<viewToken>} shows this job live; 0 when the server runs none.
     * {@code resumeToken} takes the job up again on a new connection ({@link Resume}); null in answer to one.
     * {@code uploadOffset}, in answer to a resume only, says the server has that many bytes of an upload that broke
     * off: the client sends the rest from there ({@link FileSender} chunks counted from 0 again, then {@code eof} of
     * the whole file); -1 when the upload is complete. {@code outputOffset}, in answer to a resume only, is the byte
     * of the output the server sends from: the client's offset, or less when the server carried the job on from an
     * earlier byte (the output after it was written again); the client drops what it holds past it. -1: not said
     * (the client's offset).
     */
    record Ready(String jobId, int maxChunkBytes, int previewPort, String viewToken, String resumeToken,
        long uploadOffset, long outputOffset) implements ControlMessage
    {
        /** The answer to a handshake: the upload starts at its first byte. */
        public Ready(final String jobId, final int maxChunkBytes, final int previewPort, final String viewToken,
            final String resumeToken)
        {
            this(jobId, maxChunkBytes, previewPort, viewToken, resumeToken, -1, -1);
        }
    }

    /**
     * JSON form of one file chunk (the original design's {@code frame} message), base64 data. The binary
     * SBE {@code FileChunk} is the fast form of the same thing.
     */
    record DataChunk(long sequence, long crc32c, byte[] data) implements ControlMessage
    {
    }

    /** End of a file: its size and SHA-256 in lower-case hex. */
    record Eof(long size, String sha256) implements ControlMessage
    {
    }

    /** Processing progress, sent by the server about twice a second; {@code framesTotal} is -1 while unknown. */
    record Progress(long framesDone, long framesTotal, double fps) implements ControlMessage
    {
    }

    /**
     * Something the user should know about a job that is still going well, sent by the server at most once per
     * code; e.g. {@code not_streamable}: the input can be decoded only once its upload is complete.
     */
    record Notice(String code, String message) implements ControlMessage
    {
    }

    /** A finished job's metrics. */
    record Result(ObjectNode body) implements ControlMessage
    {
    }

    /** A failure, with a stable code. */
    record Error(String code, String message) implements ControlMessage
    {
        public Error(final ErrorCode code, final String message)
        {
            this(code.wireName(), message);
        }
    }
}
