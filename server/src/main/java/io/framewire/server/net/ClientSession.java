package io.framewire.server.net;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.ControlMessage;
import io.framewire.codec.ErrorCode;
import io.framewire.codec.FileReceiver;
import io.framewire.codec.FileSender;
import io.framewire.codec.Handshake;
import io.framewire.codec.HandshakeCodec;
import io.framewire.codec.MessageStream;
import io.framewire.codec.ProtocolException;
import io.framewire.codec.RemoteErrorException;
import io.framewire.server.job.JobFailedException;
import io.framewire.server.run.JobRunner;
import io.framewire.server.media.IsoBmffLayout;
import io.framewire.server.media.OutputFormat;
import io.framewire.server.media.Mp4Prefix;
import io.framewire.server.media.VideoSource;
import io.framewire.server.metrics.JobHistory;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;
import io.framewire.worker.filter.ProcessingTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

/**
 * One client connection: handshake, upload, processing, download, result. Every failure the client can cause
 * ends in an {@code error} message with a stable code, and the job's temporary files are removed whatever
 * happens.
 */
public final class ClientSession implements Runnable
{
    /** A file chunk of 1 MiB plus framing fits with room to spare. */
    private static final int MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
    /** Free space the data directory keeps beyond a new job's upload and output, for the jobs already running. */
    private static final long DISK_RESERVE_BYTES = 256L << 20;


    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final Socket socket;
    private final SessionSettings config;
    private final JobRunner jobRunner;
    private final Semaphore jobPermits;
    private final JobHistory history;
    private final int previewPort;
    private final long jobId;
    private final KeptJobs keptJobs;
    /** Bytes of the upload that had arrived when its decoder opened, for the result. */
    private volatile long uploadedWhenDecodingBegan;
    /** The upload broke off with the connection: its record and what arrived wait for the client. */
    private volatile boolean suspended;
    /** The server stops: the job's record and upload stay for the next one. */
    private volatile boolean stopping;
    /** The job's result is kept (and sent, if a client is attached). */
    private volatile boolean delivered;
    private volatile JobRecord record;
    private volatile OutputStreamer streamer;
    private KeptJobs.Kept kept;
    private ErrorCode failureCode;
    private String failureMessage;

    /** @param previewPort the preview web server's port, told to the client; 0 when there is none. */
    public ClientSession(final Socket socket, final SessionSettings config, final JobRunner jobRunner,
        final Semaphore jobPermits, final JobHistory history, final KeptJobs keptJobs, final int previewPort,
        final long jobId)
    {
        this.keptJobs = keptJobs;
        this.history = history;
        this.previewPort = previewPort;
        this.socket = socket;
        this.config = config;
        this.jobRunner = jobRunner;
        this.jobPermits = jobPermits;
        this.jobId = jobId;
    }

    @Override
    public void run()
    {
        final String peer = String.valueOf(socket.getRemoteSocketAddress());
        final Path upload = JobRecord.upload(config.dataDir(), jobId);
        final Path output = JobRecord.output(config.dataDir(), jobId);
        MessageStream stream = null;
        try
        {
            socket.setSoTimeout(config.readTimeoutMs());
            socket.setTcpNoDelay(true);
            stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(), MAX_MESSAGE_BYTES);
            serve(stream, peer, upload, output);
        }
        catch (final ProtocolException ex)
        {
            LOG.info("job {} from {}: {} {}", jobId, peer, ex.code().wireName(), ex.getMessage());
            failed(ex.code(), ex.getMessage());
            sendError(client(stream), ex.code(), ex.getMessage());
        }
        catch (final JobFailedException ex)
        {
            LOG.warn("job {} from {} failed: {} {}", jobId, peer, ex.code().wireName(), ex.getMessage());
            failed(ex.code(), ex.getMessage());
            sendError(client(stream), ex.code(), ex.getMessage());
        }
        catch (final RemoteErrorException ex)
        {
            LOG.info("job {} from {}: client gave up: {}", jobId, peer, ex.getMessage());
            failed(ErrorCode.CANCELLED, "cancelled by its client");
        }
        catch (final SocketTimeoutException ex)
        {
            LOG.info("job {} from {}: client silent for {} ms, dropped", jobId, peer, config.readTimeoutMs());
            sendError(stream, ErrorCode.BAD_MESSAGE, "no data for " + config.readTimeoutMs() + " ms");
        }
        catch (final SSLException ex)
        {
            LOG.info("job {} from {}: no TLS session ({}); a client without --tls?", jobId, peer, ex.getMessage());
        }
        catch (final EOFException | SocketException ex)
        {
            LOG.info("job {} from {}: client disconnected{}", jobId, peer, suspended ?
                "; the upload waits for the rest (--abandoned-after)" : "");
        }
        catch (final InterruptedException ex)
        {
            // The server stops: the job's files stay for the next server, and the client, told nothing, connects
            // again to take the job up there.
            stopping = true;
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.error("job {} from {}: internal error", jobId, peer, ex);
            sendError(stream, ErrorCode.INTERNAL, "internal error: " + ex);
        }
        finally
        {
            cleanUp(upload, output);
            closeQuietly();
        }
    }

    private void serve(final MessageStream stream, final String peer, final Path upload, final Path output)
        throws IOException, JobFailedException, InterruptedException
    {
        stream.messageDeadline(Duration.ofMillis(config.readTimeoutMs()));
        stream.read(config.maxHandshakeBytes());
        final ControlMessage first = stream.isJson() ? stream.json() : null;
        if (first instanceof ControlMessage.Resume resume)
        {
            authenticate(resume.token(), peer);
            resume(stream, peer, resume);
            return;
        }
        if (first != null && !(first instanceof Handshake))
        {
            throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "the first message must be a handshake or " +
                "a resume");
        }
        final Handshake handshake = first != null ? (Handshake)first :
            HandshakeCodec.decode(stream.payload(), 0, stream.length());
        authenticate(handshake.token(), peer);
        final String processing = processingOf(handshake);
        final Pipeline pipeline = validate(handshake, processing);
        final OutputFormat format = outputFormat(handshake);
        checkSpace(handshake.fileSize());
        if (!jobPermits.tryAcquire())
        {
            throw new JobFailedException(ErrorCode.BUSY, "the server is running its limit of " + config.maxJobs() +
                " jobs; try again later");
        }
        try
        {
            LOG.info("job {} from {}: {} '{}' ({} bytes, {})", jobId, peer, pipeline, handshake.fileName(),
                handshake.fileSize(), handshake.protocol());
            kept = new KeptJobs.Kept(jobId);
            kept.uploadConnection(this::closeQuietly);
            final String resumeToken = keptJobs.admit(kept);
            record = new JobRecord(jobId, kept.tokenHash(), handshake, false);
            record.write(config.dataDir());
            stream.write(new ControlMessage.Ready(Long.toString(jobId), FileSender.DEFAULT_CHUNK_BYTES, previewPort,
                history.admit(jobId), resumeToken));
            stream.flush();
            runJob(stream, handshake, processing, pipeline, format, upload, output);
        }
        finally
        {
            jobPermits.release();
        }
    }

    /**
     * Receives the upload and runs the job; the output goes back to the client while it is encoded. With the
     * {@code stream} protocol the job starts at once and decodes the upload as it arrives (inputs that cannot be
     * read front to back are decoded once complete); with {@code file} it starts when the upload is complete. When
     * the connection breaks during the upload the job stops, and what arrived waits for the client to send the rest.
     */
    private void runJob(final MessageStream stream, final Handshake handshake, final String processing,
        final Pipeline pipeline, final OutputFormat format, final Path upload, final Path output)
        throws IOException, JobFailedException, InterruptedException
    {
        final boolean streaming = "stream".equals(handshake.protocol());
        final UploadPipe pipe = UploadPipe.create(upload);
        final OutputStreamer out;
        try
        {
            out = new OutputStreamer(output, stream, () -> progress(jobId), config.readTimeoutMs());
            streamer = out;
            kept.streamer(out);
        }
        catch (final IOException ex)
        {
            pipe.output().close();
            throw ex;
        }
        final CompletableFuture<ObjectNode> job = new CompletableFuture<>();
        final JobRunner.Input input = streaming ? () -> openStreaming(pipe, handshake.fileSize(), out) :
            () -> opened(VideoSource.open(upload), pipe);
        Thread jobThread = null;
        boolean done = false;
        try
        {
            if (streaming)
            {
                jobThread = startJob(job, processing, pipeline, input, format, output, out);
            }
            try (OutputStream sink = pipe.output())
            {
                new FileReceiver(Math.min(handshake.fileSize(), config.maxUploadBytes())).receive(stream, sink,
                    ignored -> { });
            }
            catch (final IOException ex)
            {
                suspended = connectionLost(ex);
                pipe.fail();
                throw ex;
            }
            pipe.complete();
            uploaded(handshake);
            watchForCancel(stream);
            if (!streaming)
            {
                jobThread = startJob(job, processing, pipeline, input, format, output, out);
            }
            final ObjectNode metrics = awaitJob(job);
            deliver(out, handshake, upload, output, metrics);
            done = true;
            LOG.info("job {}: {} frames at {} fps", jobId, metrics.get("frames"), metrics.get("fps"));
        }
        finally
        {
            if (!done)
            {
                out.abort();
                if (jobThread != null)
                {
                    jobThread.interrupt();
                    jobThread.join(10_000);
                }
            }
        }
    }

    /** The upload is complete: from here on a restarted server carries the job on, and a lost client stops nothing. */
    private void uploaded(final Handshake handshake) throws IOException
    {
        PrivateFiles.sync(JobRecord.upload(config.dataDir(), jobId)); // the client was told it has it all
        record = new JobRecord(jobId, kept.tokenHash(), handshake, true);
        record.write(config.dataDir());
        kept.uploadComplete(true);
    }

    /** A broken connection (not a client's mistake nor its cancel): the job waits for the client to come back. */
    private static boolean connectionLost(final IOException ex)
    {
        return ex instanceof EOFException || ex instanceof SocketException || ex instanceof SocketTimeoutException ||
            ex instanceof SSLException;
    }

    /**
     * The job's end: its output complete ({@code eof} to the client attached, if any), kept for a resume whether or
     * not a client takes it now (one that breaks off at the last moment resumes), the result to the client attached.
     */
    private void deliver(final OutputStreamer out, final Handshake handshake, final Path upload, final Path output,
        final ObjectNode metrics) throws IOException, InterruptedException
    {
        metrics.put("protocol", handshake.protocol());
        metrics.put("upload_bytes_when_decoding_began", uploadedWhenDecodingBegan);
        metrics.put("input_bytes", Files.size(upload));
        final String sha256 = out.finish();
        metrics.put("output_sha256", sha256);
        metrics.put("output_bytes", Files.size(output));
        keptJobs.keep(kept, output, sha256, metrics);
        delivered = true;
        deleteQuietly(upload); // only now: a crash before the output is kept leaves the job to be run again
        final MessageStream client = out.clientStream();
        if (client != null)
        {
            try
            {
                client.write(new ControlMessage.Result(metrics));
                client.flush();
            }
            catch (final IOException ex)
            {
                LOG.info("job {}: the client went at its end; the output is kept for a resume", jobId);
            }
        }
        history.finished(jobId, true);
    }

    /**
     * What is left of the job when this session ends: nothing after its result or a failure; its record and upload
     * when the job waits for the rest of its upload or the server stops (the next server carries it on).
     */
    private void cleanUp(final Path upload, final Path output)
    {
        final boolean saved = !delivered && record != null && (suspended || stopping ||
            Thread.currentThread().isInterrupted());
        if (kept != null && !kept.ended().isDone())
        {
            if (saved && !stopping && suspended)
            {
                keptJobs.awaitUpload(kept, record, System.currentTimeMillis());
            }
            else if (!saved)
            {
                keptJobs.ended(kept, failureCode != null ? failureCode : ErrorCode.INTERNAL,
                    failureMessage != null ? failureMessage : "the job ended without a result");
            }
        }
        if (saved)
        {
            history.suspended(jobId);
        }
        else
        {
            history.finished(jobId, false); // no-op after a success, which handed the output over already
            deleteQuietly(upload);
            deleteQuietly(JobRecord.file(config.dataDir(), jobId));
        }
        if (!(saved && stopping))
        {
            deleteQuietly(output); // a stopping server leaves it for the next, which goes on from its whole fragments
        }
    }

    /**
     * A job a server that stopped without finishing it left whole (its record and complete upload): run again from
     * its upload, with no client until one resumes it with its token; its output is kept like any finished job's.
     */
    public static Runnable recovered(final JobRecord record, final SessionSettings config, final JobRunner jobRunner,
        final Semaphore jobPermits, final JobHistory history, final KeptJobs keptJobs)
    {
        final ClientSession session = new ClientSession(null, config, jobRunner, jobPermits, history, keptJobs, 0,
            record.jobId());
        final KeptJobs.Kept job = new KeptJobs.Kept(record.jobId());
        // Here, before the server takes clients: a client may resume it at once, and is told where its output goes
        // on from.
        final Mp4Prefix keptOutput = session.keptOutput(record.handshake());
        final JobRecord carried = record.rewrittenFrom(keptOutput != null ? keptOutput.bytes() :
            session.madeAgainTheSame(record.handshake()) ? Long.MAX_VALUE : 0);
        job.rewrittenFrom(carried.outputRewrittenFrom());
        if (carried.outputRewrittenFrom() < record.outputRewrittenFrom())
        {
            try
            {
                carried.write(config.dataDir());
            }
            catch (final IOException ex)
            {
                LOG.warn("job {}: cannot update its record ({}); a client holding output of a run before the last " +
                    "one would find its SHA-256 wrong", record.jobId(), ex.toString());
            }
        }
        keptJobs.readmit(job, record.resumeTokenHash());
        return () ->
        {
            try
            {
                jobPermits.acquire();
            }
            catch (final InterruptedException ex)
            {
                return; // the server stops before the job could start: its files wait for the next one
            }
            try
            {
                session.carryOn(job, carried, null, 0, keptOutput);
            }
            finally
            {
                jobPermits.release();
            }
        };
    }

    /**
     * Runs a job whose upload is complete from its upload, on this thread, the caller holding a job permit; its
     * output goes to {@code client} (from byte {@code clientHas}) if there is one, else to the next to resume it.
     *
     * @param keptOutput the whole fragments of the output kept, which the job goes on from; null: from its start.
     */
    private void carryOn(final KeptJobs.Kept job, final JobRecord carried, final MessageStream client,
        final long clientHas, final Mp4Prefix keptOutput)
    {
        kept = job;
        record = carried;
        final Path upload = JobRecord.upload(config.dataDir(), jobId);
        final Path output = JobRecord.output(config.dataDir(), jobId);
        history.readmit(jobId);
        kept.uploadComplete(true);
        try
        {
            final Handshake handshake = carried.handshake();
            final String processing = processingOf(handshake);
            final Pipeline pipeline = validate(handshake, processing);
            final OutputFormat format = outputFormat(handshake);
            LOG.info("job {}: {} from its upload ({} bytes)", jobId, client == null ?
                "carried on from the server before, for its client to resume," : "run", handshake.fileSize());
            final OutputStreamer out = new OutputStreamer(output, keptOutput == null ? 0 : keptOutput.bytes(), null,
                () -> progress(jobId), config.readTimeoutMs());
            streamer = out;
            kept.streamer(out);
            if (client != null)
            {
                out.attach(client, clientHas);
                watchForCancel(client);
            }
            uploadedWhenDecodingBegan = handshake.fileSize();
            final ObjectNode metrics = jobRunner.run(jobId, processing, pipeline, () -> VideoSource.open(upload),
                format, output, out, keptOutput);
            metrics.put("recovered", true);
            deliver(out, handshake, upload, output, metrics);
        }
        catch (final JobFailedException ex)
        {
            LOG.warn("job {} (carried on) failed: {} {}", jobId, ex.code().wireName(), ex.getMessage());
            failed(ex.code(), ex.getMessage());
            sendError(client(null), ex.code(), ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            stopping = true;
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.error("job {} (carried on): internal error", jobId, ex);
            failed(ErrorCode.INTERNAL, "internal error: " + ex);
            sendError(client(null), ErrorCode.INTERNAL, "internal error: " + ex);
        }
        finally
        {
            if (!delivered && streamer != null)
            {
                streamer.abort();
            }
            cleanUp(upload, output);
        }
    }

    /**
     * Whether the job's output, made again from its first frame, is byte for byte the first run's: x264's is (it and
     * the muxers are deterministic, on a fixed thread count); of other encoders a client takes it all again.
     */
    private boolean madeAgainTheSame(final Handshake handshake)
    {
        try
        {
            return "libx264".equals(outputFormat(handshake).encoderName());
        }
        catch (final ProtocolException ex)
        {
            return false; // the job fails at once
        }
    }

    /** The processing the handshake names, or the server's default. */
    private String processingOf(final Handshake handshake)
    {
        return handshake.processing().isEmpty() ? config.defaultProcessing() : handshake.processing();
    }

    /**
     * Whether the job's result lists what its filters found in each frame (faces): the frames of a kept output have
     * no such record, so that job is made again from its first frame, for a whole list.
     */
    private boolean reportsDetections(final Handshake handshake)
    {
        try
        {
            return validate(handshake, processingOf(handshake)).reportsDetections();
        }
        catch (final ProtocolException ex)
        {
            return true; // the job fails at once
        }
    }

    /**
     * The whole fragments of the output a stopped server left, if the job's output is an MP4 that has some (and its
     * result lists no detections): the file is cut after them, and the job goes on from there. Null when it starts
     * again (the file is then replaced).
     */
    private Mp4Prefix keptOutput(final Handshake handshake)
    {
        final Path output = JobRecord.output(config.dataDir(), jobId);
        if (!"mp4".equals(handshake.container()) || !Files.exists(output) || reportsDetections(handshake))
        {
            return null;
        }
        try
        {
            final Mp4Prefix prefix = Mp4Prefix.read(output);
            if (prefix == null)
            {
                LOG.info("job {}: no whole fragment of its output was kept; it is made again from the first", jobId);
                return null;
            }
            try (FileChannel file = FileChannel.open(output, StandardOpenOption.WRITE))
            {
                file.truncate(prefix.bytes());
            }
            return prefix;
        }
        catch (final IOException ex)
        {
            LOG.warn("job {}: its kept output cannot be read ({}); it is made again from the first", jobId,
                ex.toString());
            return null;
        }
    }

    /**
     * A client sending the rest of an upload that broke off, then taking the output as the job runs: on this
     * connection's thread, as its own job (the session of the connection only carries it).
     */
    private static void finishUpload(final ClientSession session, final MessageStream stream, final KeptJobs.Kept job,
        final JobRecord waiting, final long clientHas) throws IOException, JobFailedException
    {
        session.kept = job;
        session.record = waiting;
        final Path upload = JobRecord.upload(session.config.dataDir(), session.jobId);
        final long have = Files.exists(upload) ? Files.size(upload) : 0;
        stream.write(new ControlMessage.Ready(Long.toString(session.jobId), FileSender.DEFAULT_CHUNK_BYTES,
            session.previewPort, null, null, have, clientHas));
        stream.flush();
        LOG.info("job {}: its client sends the rest of its upload, from byte {}", session.jobId, have);
        try
        {
            new FileReceiver(Math.min(waiting.handshake().fileSize(), session.config.maxUploadBytes()))
                .resume(stream, upload, have, ignored -> { });
            session.kept.streamer(null);
            session.uploaded(waiting.handshake());
        }
        catch (final IOException ex)
        {
            session.suspended = connectionLost(ex);
            if (ex instanceof RemoteErrorException)
            {
                session.failed(ErrorCode.CANCELLED, "cancelled by its client");
            }
            else if (!session.suspended)
            {
                session.failed(ex instanceof ProtocolException bad ? bad.code() : ErrorCode.INTERNAL, ex.getMessage());
            }
            session.cleanUp(upload, JobRecord.output(session.config.dataDir(), session.jobId));
            throw ex;
        }
        session.carryOn(job, session.record, stream, clientHas, null);
    }

    /** Room for the upload and an output as large, beyond a reserve for the jobs already running. */
    private void checkSpace(final long uploadBytes) throws IOException, JobFailedException
    {
        final long free = Files.getFileStore(config.dataDir()).getUsableSpace();
        if (free - DISK_RESERVE_BYTES < 2 * uploadBytes)
        {
            throw new JobFailedException(ErrorCode.NO_SPACE, "the server's disk has " + (free >> 20) + " MiB free, " +
                "too little for this upload of " + (uploadBytes >> 20) + " MiB and its output now; try again later");
        }
    }

    private void authenticate(final String token, final String peer) throws JobFailedException
    {
        if (config.tokens() != null)
        {
            final String client = config.tokens().authenticate(token);
            if (client == null)
            {
                throw new JobFailedException(ErrorCode.UNAUTHORIZED, token.isEmpty() ?
                    "this server needs a token (--token, or FRAMEWIRE_TOKEN)" : "the token is not one this server " +
                    "accepts");
            }
            LOG.info("connection from {}: client '{}'", peer, client);
        }
    }

    /**
     * A client taking up its job again: attached to the running job's output (the rest is sent as it is written,
     * and the job's end comes on this connection), or sent the kept output and result of a finished one.
     */
    private void resume(final MessageStream stream, final String peer, final ControlMessage.Resume resume)
        throws IOException, JobFailedException, InterruptedException
    {
        final KeptJobs.Kept job = keptJobs.find(resume.resumeToken());
        if (job == null)
        {
            throw new JobFailedException(ErrorCode.UNKNOWN_JOB, "no job has this resume token here: a finished " +
                "job's output is kept for --keep-results, and a job whose upload broke off for --abandoned-after");
        }
        if (resume.offset() < 0)
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "resume offset must not be negative");
        }
        if (!job.uploadComplete() && !job.ended().isDone() && resumeUpload(stream, job, resume.offset()))
        {
            return;
        }
        // Past where the output was written again, the client's bytes are another run's: it drops them.
        final long from = Math.min(resume.offset(), job.rewrittenFrom());
        stream.write(new ControlMessage.Ready(Long.toString(job.jobId()), FileSender.DEFAULT_CHUNK_BYTES,
            previewPort, null, null, -1, from));
        stream.flush();
        LOG.info("job {}: resumed by {} from byte {}", job.jobId(), peer, from);
        final OutputStreamer running = job.streamer();
        if (running != null && running.attach(stream, from))
        {
            watchForCancel(stream, job.jobId());
            try
            {
                job.ended().get();
            }
            catch (final ExecutionException ex)
            {
                throw new JobFailedException(ErrorCode.INTERNAL, "the job ended: " + ex.getCause());
            }
            return; // its end went to this connection, the attached one
        }
        try
        {
            job.ended().get(); // it is ending just now
        }
        catch (final ExecutionException ex)
        {
            throw new JobFailedException(ErrorCode.INTERNAL, "the job ended: " + ex.getCause());
        }
        if (job.output() == null)
        {
            throw new JobFailedException(job.errorCode(), job.errorMessage());
        }
        if (from > job.size())
        {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "resume offset " + resume.offset() +
                " is past the output's " + job.size() + " bytes");
        }
        FileSender.send(job.output(), stream, FileSender.DEFAULT_CHUNK_BYTES, from, ignored -> { });
        stream.write(new ControlMessage.Result(job.result()));
        stream.flush();
    }

    /**
     * A resume of a job whose upload is not complete: the connection it came on, if it is still open, is let go
     * (the client is here, on this one), and once the job waits for the rest of its upload, the client sends it
     * here and takes the output. @return false when the job no longer waits for its upload (it ended, or another
     * resume took it).
     */
    private boolean resumeUpload(final MessageStream stream, final KeptJobs.Kept job, final long clientHas)
        throws IOException, JobFailedException, InterruptedException
    {
        job.breakOffUpload();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.readTimeoutMs());
        while (!keptJobs.waitingUpload(job) && !job.ended().isDone() && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(10); // the session of the connection let go is suspending the job
        }
        if (!jobPermits.tryAcquire())
        {
            throw new JobFailedException(ErrorCode.BUSY, "the server is running its limit of " + config.maxJobs() +
                " jobs; try again later");
        }
        try
        {
            final JobRecord waiting = keptJobs.claimUpload(job);
            if (waiting == null)
            {
                return false;
            }
            final ClientSession carrier = new ClientSession(null, config, jobRunner, jobPermits, history, keptJobs,
                previewPort, waiting.jobId());
            job.uploadConnection(this::closeQuietly);
            finishUpload(carrier, stream, job, waiting, clientHas);
            return true;
        }
        finally
        {
            jobPermits.release();
        }
    }

    /** After the upload the client says nothing more but {@code cancel}; its connection breaking cancels nothing. */
    private void watchForCancel(final MessageStream stream)
    {
        watchForCancel(stream, jobId);
    }

    private void watchForCancel(final MessageStream stream, final long id)
    {
        Thread.ofVirtual().name("cancel-watch-" + id).start(() ->
        {
            while (true)
            {
                try
                {
                    stream.read();
                    if (stream.isJson() && stream.json() instanceof ControlMessage.Cancel)
                    {
                        LOG.info("job {}: cancelled by its client", id);
                        cancel(id, ErrorCode.CANCELLED, "cancelled by its client");
                        return;
                    }
                }
                catch (final SocketTimeoutException quiet)
                {
                    // a client waiting for its output says nothing
                }
                catch (final IOException ex)
                {
                    return; // gone, or it sent junk: the job goes on
                }
            }
        });
    }

    /** The client's connection now: the one the output goes to, which a resume may have replaced. */
    private MessageStream client(final MessageStream original)
    {
        final OutputStreamer out = streamer;
        return out == null ? original : out.clientStream();
    }

    private void failed(final ErrorCode code, final String message)
    {
        failureCode = code;
        failureMessage = message;
    }

    /** Fails the job if it runs: every stage stops, and the session's clean-up frees the rest. */
    private void cancel(final ErrorCode code, final String why)
    {
        cancel(jobId, code, why);
    }

    private void cancel(final long id, final ErrorCode code, final String why)
    {
        final JobHistory.Entry entry = history.get(id);
        if (entry != null && entry.job().running())
        {
            LOG.info("job {}: cancelled: {}", id, why);
            entry.job().fail(code, why);
        }
    }

    private Thread startJob(final CompletableFuture<ObjectNode> job, final String processing, final Pipeline pipeline,
        final JobRunner.Input input, final OutputFormat format, final Path output, final OutputStream out)
    {
        // A platform thread: the job blocks in native FFmpeg code (reading a streamed upload through a Java
        // callback), which would pin a virtual thread's carrier for as long as the client takes.
        return Thread.ofPlatform().daemon().name("job-" + jobId).start(() ->
        {
            try
            {
                job.complete(jobRunner.run(jobId, processing, pipeline, input, format, output, out));
            }
            catch (final Throwable ex)
            {
                job.completeExceptionally(ex);
            }
        });
    }

    private static ObjectNode awaitJob(final CompletableFuture<ObjectNode> job)
        throws JobFailedException, InterruptedException
    {
        try
        {
            return job.get();
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof JobFailedException failed)
            {
                throw failed;
            }
            if (ex.getCause() instanceof InterruptedException interrupted)
            {
                throw interrupted;
            }
            throw new JobFailedException(ErrorCode.INTERNAL, "the job failed: " + ex.getCause(), ex.getCause());
        }
    }

    /**
     * Opens the upload while it arrives. An MP4 or MOV with its index first is read through a reader that can seek;
     * with its index at its end nothing decodes before the upload is complete, and the client is told so. Fragmented
     * MP4 and other containers are read front to back; one that does not open that way is decoded once uploaded.
     */
    private VideoSource openStreaming(final UploadPipe pipe, final long size, final OutputStreamer out)
        throws JobFailedException, InterruptedException
    {
        final IsoBmffLayout layout;
        try (InputStream probe = pipe.seekableInput(size))
        {
            layout = IsoBmffLayout.of(probe);
        }
        catch (final IOException ex)
        {
            LOG.info("job {}: cannot read the start of the upload ({}); decoding it once uploaded", jobId,
                ex.toString());
            return openComplete(pipe);
        }
        if (layout == IsoBmffLayout.INDEX_LAST)
        {
            LOG.info("job {}: the input's index (moov) is at its end; decoding it once uploaded", jobId);
            out.notice(new ControlMessage.Notice("not_streamable", "this MP4/MOV has its index (moov) at the end, " +
                "so processing starts once the upload is complete; 'ffmpeg -i IN -c copy -movflags +faststart " +
                "OUT.mp4' makes a file streamable"));
            return openComplete(pipe);
        }
        try
        {
            // On success the source owns the stream and closes it.
            final VideoSource source = layout.readsSeeking() ? VideoSource.openSeekable(pipe.seekableInput(size)) :
                VideoSource.open(pipe.input());
            LOG.info("job {}: decoding the upload as it arrives ({} bytes in when it opened)", jobId, pipe.written());
            return opened(source, pipe);
        }
        catch (final JobFailedException ex)
        {
            LOG.info("job {}: the input does not decode front to back ({}); decoding it once uploaded", jobId,
                ex.getMessage());
        }
        catch (final IOException ex)
        {
            LOG.warn("job {}: cannot read the upload as it arrives ({}); decoding it once uploaded", jobId,
                ex.toString());
        }
        return openComplete(pipe);
    }

    private VideoSource openComplete(final UploadPipe pipe) throws JobFailedException, InterruptedException
    {
        if (!pipe.awaitEnd())
        {
            throw new JobFailedException(ErrorCode.BAD_MESSAGE, "the upload failed");
        }
        return opened(VideoSource.open(pipe.file()), pipe);
    }

    private VideoSource opened(final VideoSource source, final UploadPipe pipe)
    {
        uploadedWhenDecodingBegan = pipe.written();
        return source;
    }

    private ControlMessage.Progress progress(final long id)
    {
        final JobHistory.Entry entry = history.get(id);
        if (entry == null)
        {
            return null;
        }
        final var job = entry.job();
        final double seconds = job.elapsedSeconds();
        final long total = job.ring().totalFrames();
        return new ControlMessage.Progress(job.ring().encoded(), total >= 0 ? total : job.estimatedFrames(),
            seconds > 0 ? Math.round((job.ring().encoded() - job.ring().firstFrame()) / seconds * 10) / 10.0 : 0);
    }

    private OutputFormat outputFormat(final Handshake handshake) throws ProtocolException
    {
        final String codec = handshake.codec().isEmpty() ? config.codec() : handshake.codec();
        final String problem = OutputFormat.check(codec, handshake.container(), handshake.bitrateKbps());
        if (problem != null)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, problem);
        }
        return new OutputFormat(codec, handshake.container(), handshake.bitrateKbps(), config.encoder());
    }

    private Pipeline validate(final Handshake handshake, final String processing) throws ProtocolException
    {
        if (handshake.version() != Handshake.PROTOCOL_VERSION)
        {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + handshake.version() +
                " is not supported; this server speaks " + Handshake.PROTOCOL_VERSION);
        }
        final Pipeline pipeline;
        try
        {
            pipeline = ProcessingTypes.pipeline(processing, handshake.params());
        }
        catch (final FilterSpecException ex)
        {
            throw new ProtocolException(switch (ex.kind())
            {
                case UNKNOWN_PROCESSING -> ErrorCode.UNKNOWN_PROCESSING;
                case UNKNOWN_FILTER -> ErrorCode.UNKNOWN_FILTER;
                case BAD_PARAMETER -> ErrorCode.BAD_PARAMETER;
            }, ex.getMessage());
        }
        if (!"file".equals(handshake.protocol()) && !"stream".equals(handshake.protocol()))
        {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_PROTOCOL, "protocol '" + handshake.protocol() +
                "' is not supported; use 'file' or 'stream'");
        }
        if (handshake.fileSize() <= 0)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "file_size must be positive");
        }
        if (handshake.fileSize() > config.maxUploadBytes())
        {
            throw new ProtocolException(ErrorCode.UPLOAD_TOO_LARGE, "file of " + handshake.fileSize() +
                " bytes exceeds the limit of " + config.maxUploadBytes());
        }
        return pipeline;
    }

    private void sendError(final MessageStream stream, final ErrorCode code, final String message)
    {
        if (stream == null || socket != null && socket.isClosed())
        {
            return;
        }
        try
        {
            stream.write(new ControlMessage.Error(code, message));
            stream.flush();
        }
        catch (final IOException ignored)
        {
            // the client is gone; nothing more to tell it
        }
    }

    private void closeQuietly()
    {
        if (socket == null)
        {
            return;
        }
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot delete {}: {}", path, ex.getMessage());
        }
    }
}
