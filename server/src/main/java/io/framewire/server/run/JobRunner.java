package io.framewire.server.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.ErrorCode;
import io.framewire.server.dispatch.JobTable;
import io.framewire.server.journal.FrameJournal;
import io.framewire.server.job.FrameRing;
import io.framewire.server.job.Job;
import io.framewire.server.job.JobFailedException;
import io.framewire.server.media.FrameDecoder;
import io.framewire.server.metrics.JobHistory;
import io.framewire.server.metrics.JobJson;
import io.framewire.server.metrics.PreviewGif;
import io.framewire.server.metrics.Thumbnails;
import io.framewire.server.media.AudioTrack;
import io.framewire.server.media.FrameEncoder;
import io.framewire.server.media.Mp4Continuation;
import io.framewire.server.media.Mp4Prefix;
import io.framewire.server.media.OutputFormat;
import io.framewire.server.media.VideoSink;
import io.framewire.server.media.VideoSource;
import io.framewire.transport.TransportConfig;
import io.framewire.worker.filter.Pipeline;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

/**
 * Runs one job from its uploaded file to its output file: decoder, dispatch, result collection and encoder
 * run at the same time, each on its own thread, with the job's {@link FrameRing} between them.
 */
public final class JobRunner
{
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobTable jobs;
    private final JobHistory history;
    private final int window;
    private final Path dataDir;
    private final boolean paced;
    private final int thumbnails;
    private final ExecutorService mediaIo;

    /**
     * @param history told of each job as it starts, for the metrics and the preview.
     * @param window  frames of one job in flight at once: decoded, at workers, or waiting to be encoded.
     */
    public JobRunner(final JobTable jobs, final JobHistory history, final Path dataDir, final int window,
        final int thumbnails, final ExecutorService mediaIo, final boolean paced)
    {
        this.paced = paced;
        this.dataDir = dataDir;
        this.jobs = jobs;
        this.history = history;
        this.window = window;
        this.thumbnails = thumbnails;
        this.mediaIo = mediaIo;
    }

    /** Opens the job's input: the uploaded file, or the upload while it still arrives. */
    @FunctionalInterface
    public interface Input
    {
        VideoSource open() throws JobFailedException, InterruptedException;
    }

    /**
     * @param output where the preview reads the output while it is written.
     * @param sink   receives the output file as the muxer writes it.
     * @return the job's metrics, for the {@code result} message.
     */
    public ObjectNode run(final long jobId, final String processing, final Pipeline pipeline, final Input input,
        final OutputFormat format, final Path output, final OutputStream sink)
        throws JobFailedException, InterruptedException
    {
        return run(jobId, processing, pipeline, input, format, output, sink, null);
    }

    /**
     * @param kept the whole fragments of the job's output a stopped server left, or null: the frames in them are
     *             decoded again (to reach the first one after them) but not processed nor encoded, and {@code sink}
     *             receives only what comes after them.
     */
    public ObjectNode run(final long jobId, final String processing, final Pipeline pipeline, final Input input,
        final OutputFormat format, final Path output, final OutputStream sink, final Mp4Prefix kept)
        throws JobFailedException, InterruptedException
    {
        try (VideoSource source = input.open())
        {
            final int width = source.width();
            final int height = source.height();
            final int framesPerSlot = pipeline.needsPrevious() ? 2 : 1;
            try (FrameRing ring = new FrameRing(FrameRing.capacityFor(window, width * height * 3, framesPerSlot),
                width * height * 3, framesPerSlot);
                FrameJournal journal = new FrameJournal(dataDir, jobId);
                VideoSink video = VideoSink.open(kept == null ? sink : continuation(sink, kept),
                    VideoSink.even(width), VideoSink.even(height), source.frameRate(), format, source);
                AudioTrack audio = source.audioChannels() > 0 ?
                    new AudioTrack(source.sampleRate(), source.audioChannels()) : null)
            {
                if (kept != null)
                {
                    ring.startAt(kept.video().samples()); // before the job's parts read where it starts
                    LOG.info("job {}: its output goes on from frame {} (byte {}), after the whole fragments kept",
                        jobId, kept.video().samples(), kept.bytes());
                }
                final Job job = new Job(jobId, processing, pipeline.spec(), width, height, source.frameRate(), ring,
                    journal, SystemNanoClock.INSTANCE);
                job.estimatedFrames(source.estimatedFrames());
                if (!jobs.submit(job))
                {
                    throw new JobFailedException(ErrorCode.BUSY, "the dispatcher is full; try again later");
                }
                final PreviewGif gif = new PreviewGif(PreviewGif.WIDTH, FrameEncoder.gifHeight(width, height),
                    source.frameRate(), SystemNanoClock.INSTANCE);
                final Thumbnails jobThumbnails = new Thumbnails(thumbnails, source.estimatedFrames(),
                    source.frameRate(), PreviewGif.WIDTH, FrameEncoder.gifHeight(width, height), mediaIo);
                history.started(job, output, gif, jobThumbnails);
                LOG.info("job {}: {}x{} at {} fps, {} ({})", jobId, width, height, source.frameRate(), processing,
                    pipeline);
                final Thread decoder = start(job, new FrameDecoder(job, source, audio, paced));
                final Thread journalWriter = start(job, new JournalWriter(job));
                final Thread encoder = start(job, kept == null ?
                    new FrameEncoder(job, video.recorder(), gif, jobThumbnails, audio) :
                    new FrameEncoder(job, video.recorder(), gif, jobThumbnails, audio,
                        kept.nextFrameNumber(source.frameRate()), kept.audioSkip()));
                try
                {
                    encoder.join();
                    decoder.join();
                    journalWriter.join();
                }
                finally
                {
                    if (!job.finished())
                    {
                        job.fail(ErrorCode.INTERNAL, "the job was interrupted");
                    }
                    decoder.join();
                    journalWriter.join();
                    encoder.join();
                    job.markFinished();
                    if (!job.awaitRelease(10_000))
                    {
                        LOG.error("job {}: dispatcher did not release the job; leaking its frame memory", jobId);
                        throw new JobFailedException(ErrorCode.INTERNAL, "dispatcher did not release the job");
                    }
                }
                if (job.failure() != null)
                {
                    throw job.failure();
                }
                video.finish();
                final ObjectNode result = JobJson.result(job);
                result.put("codec", format.codec());
                result.put("encoder", format.encoderName());
                result.put("container", format.container());
                if (format.constantQuality())
                {
                    result.put("crf", format.encoder().crf());
                }
                else
                {
                    result.put("bitrate_kbps", format.bitrateKbps() > 0 ? format.bitrateKbps() :
                        VideoSink.bitrate(width, height, source.frameRate()) / 1000);
                }
                if ("libx264".equals(format.encoderName()))
                {
                    result.put("preset", format.encoder().preset());
                }
                result.put("audio", audio == null ? "none" : format.audioCodec());
                result.put("rotation", source.rotation());
                if (kept != null)
                {
                    result.put("continued_from_frame", kept.video().samples());
                }
                if (VideoSink.even(width) != width || VideoSink.even(height) != height)
                {
                    result.putObject("padded").put("width", VideoSink.even(width))
                        .put("height", VideoSink.even(height));
                }
                final var thumbnailList = result.putArray("thumbnails");
                final var made = jobThumbnails.all();
                for (int i = 0; i < made.size(); i++)
                {
                    thumbnailList.addObject().put("frame", made.get(i).frame())
                        .put("url", "/jobs/" + jobId + "/thumbnails/" + i + ".jpg");
                }
                return result;
            }
        }
    }

    private static OutputStream continuation(final OutputStream sink, final Mp4Prefix kept)
        throws JobFailedException
    {
        try
        {
            return new Mp4Continuation(sink, kept);
        }
        catch (final IOException ex)
        {
            throw new JobFailedException(ErrorCode.INTERNAL, "the kept output cannot be continued: " +
                ex.getMessage(), ex);
        }
    }

    private static Thread start(final Job job, final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(
            TransportConfig.stageIdleStrategy(),
            error ->
            {
                // AgentRunner reports the normal end of an agent too; only other errors fail the job.
                if (!(error instanceof AgentTerminationException))
                {
                    job.fail(ErrorCode.INTERNAL, agent.roleName() + " failed: " + error);
                }
            },
            null, agent);
        return AgentRunner.startOnThread(runner);
    }
}
