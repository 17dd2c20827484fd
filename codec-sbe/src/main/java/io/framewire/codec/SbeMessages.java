package io.framewire.codec;

import io.framewire.codec.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

/**
 * Checks an SBE message header before a decoder is wrapped over it, so that garbage and truncated
 * messages fail with a {@link ProtocolException} instead of reading past the message.
 */
public final class SbeMessages
{
    private SbeMessages()
    {
    }

    /**
     * Validate the header at {@code offset} and return the message's template id.
     *
     * @param header a decoder reused by the caller, so validation allocates nothing.
     */
    public static int templateId(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
        throws ProtocolException
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "message of " + length + " bytes is too short");
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "not a framewire message (schema " +
                header.schemaId() + ")");
        }
        if (header.version() > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "schema version " + header.version() +
                " is newer than " + MessageHeaderDecoder.SCHEMA_VERSION);
        }
        if (MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength() > length)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "message truncated: block of " +
                header.blockLength() + " bytes in " + length);
        }
        return header.templateId();
    }

    /** Fail unless the var-length field that a decoder just read ended inside the message. */
    public static void checkLimit(final int limit, final int offset, final int length) throws ProtocolException
    {
        if (limit > offset + length)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "message truncated: needs " + (limit - offset) +
                " bytes, has " + length);
        }
    }
}
