package io.framewire.codec;

/**
 * Stable error codes carried by the {@code error} message. The wire name never changes once released;
 * clients may switch on it.
 */
public enum ErrorCode
{
    BAD_MESSAGE("bad_message"),
    MESSAGE_TOO_LARGE("message_too_large"),
    UNKNOWN_TYPE("unknown_type"),
    UNEXPECTED_MESSAGE("unexpected_message"),
    UNSUPPORTED_VERSION("unsupported_version"),
    BAD_HANDSHAKE("bad_handshake"),
    UNAUTHORIZED("unauthorized"),
    UNKNOWN_PROCESSING("unknown_processing"),
    UNKNOWN_FILTER("unknown_filter"),
    BAD_PARAMETER("bad_parameter"),
    UNSUPPORTED_PROTOCOL("unsupported_protocol"),
    CHECKSUM_MISMATCH("checksum_mismatch"),
    UPLOAD_TOO_LARGE("upload_too_large"),
    NOT_VIDEO("not_video"),
    EMPTY_INPUT("empty_input"),
    UNSUPPORTED_INPUT("unsupported_input"),
    PROCESSING_FAILED("processing_failed"),
    BUSY("busy"),
    /** The server's data directory cannot hold the job's upload and output now. */
    NO_SPACE("no_space"),
    /** The client cancelled its job ({@code cancel}, Ctrl-C). */
    CANCELLED("cancelled"),
    /** A {@code resume} whose token matches no job the server keeps. */
    UNKNOWN_JOB("unknown_job"),
    INTERNAL("internal");

    private final String wireName;

    ErrorCode(final String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }

    public static ErrorCode fromWireName(final String wireName)
    {
        for (final ErrorCode code : values())
        {
            if (code.wireName.equals(wireName))
            {
                return code;
            }
        }
        return INTERNAL;
    }
}
