package io.framewire.codec;

import io.framewire.codec.sbe.HandshakeDecoder;
import io.framewire.codec.sbe.HandshakeEncoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Map;
import java.util.TreeMap;

/** The SBE form of the handshake. Decodes to the same {@link Handshake} as the JSON form. */
public final class HandshakeCodec
{
    private HandshakeCodec()
    {
    }

    /** @return the encoded length, header included. */
    public static int encode(final Handshake handshake, final MutableDirectBuffer buffer, final int offset)
    {
        final HandshakeEncoder encoder = new HandshakeEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .version(handshake.version())
            .fileSize(handshake.fileSize())
            .bitrateKbps(handshake.bitrateKbps());
        final HandshakeEncoder.ParametersEncoder params = encoder.parametersCount(handshake.params().size());
        for (final Map.Entry<String, String> entry : handshake.params().entrySet())
        {
            params.next().name(entry.getKey()).value(entry.getValue());
        }
        encoder.processing(handshake.processing())
            .protocol(handshake.protocol())
            .fileName(handshake.fileName())
            .codec(handshake.codec())
            .container(handshake.container())
            .token(handshake.token());
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public static Handshake decode(final DirectBuffer buffer, final int offset, final int length)
        throws ProtocolException
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final int templateId = SbeMessages.templateId(header, buffer, offset, length);
        if (templateId != HandshakeDecoder.TEMPLATE_ID)
        {
            throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "expected a handshake, got template " +
                templateId);
        }
        try
        {
            final HandshakeDecoder decoder = new HandshakeDecoder().wrapAndApplyHeader(buffer, offset, header);
            final int version = decoder.version();
            final long fileSize = decoder.fileSize();
            final long bitrateKbps = decoder.bitrateKbps();
            final Map<String, String> params = new TreeMap<>();
            for (final HandshakeDecoder.ParametersDecoder p : decoder.parameters())
            {
                params.put(p.name(), p.value());
                SbeMessages.checkLimit(decoder.limit(), offset, length);
            }
            final String processing = decoder.processing();
            final String protocol = decoder.protocol();
            final String fileName = decoder.fileName();
            final String codec = decoder.codec();
            final String container = decoder.container();
            final String token = decoder.token();
            SbeMessages.checkLimit(decoder.limit(), offset, length);
            return new Handshake(version, processing, protocol, fileName, fileSize, params, codec, container,
                bitrateKbps, token);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "handshake truncated");
        }
    }
}
