package io.framewire.perf;

import io.framewire.codec.sbe.FrameTaskDecoder;
import io.framewire.codec.sbe.FrameTaskEncoder;
import io.framewire.codec.sbe.MessageHeaderDecoder;
import io.framewire.codec.sbe.MessageHeaderEncoder;
import io.framewire.codec.sbe.FrameEncoding;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;

/** Encoding and decoding the head of a FrameTask, the per-frame codec work of the hot path. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class FrameCodecBenchmark
{
    private static final byte[] PIPELINE = "gaussian:ksize=7,sigma=0".getBytes(StandardCharsets.UTF_8);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FrameTaskEncoder encoder = new FrameTaskEncoder();
    private final FrameTaskDecoder decoder = new FrameTaskDecoder();
    private final byte[] pipeline = new byte[64];
    private int frame;

    @Benchmark
    public long encodeThenDecodeTaskHead()
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .jobId(42)
            .frameNumber(frame++)
            .attempt((short)1)
            .width(1280)
            .height(720)
            .frameEncoding(FrameEncoding.BGR24)
            .frameCount((short)1)
            .dispatchNanos(frame)
            .putPipeline(PIPELINE, 0, PIPELINE.length);
        buffer.putInt(encoder.limit(), 1280 * 720 * 3,
            ByteOrder.LITTLE_ENDIAN);
        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        final long fields = decoder.jobId() + decoder.frameNumber() + decoder.width();
        decoder.getPipeline(pipeline, 0, decoder.pipelineLength());
        return fields + decoder.pixelsLength() + pipeline[0];
    }
}
