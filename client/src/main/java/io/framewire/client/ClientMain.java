package io.framewire.client;

import io.framewire.codec.ControlMessage;
import io.framewire.codec.ErrorCode;
import io.framewire.codec.FileReceiver;
import io.framewire.codec.FileSender;
import io.framewire.codec.Handshake;
import io.framewire.codec.JsonMessages;
import io.framewire.codec.MessageStream;
import io.framewire.codec.OutputContainer;
import io.framewire.codec.ProtocolException;
import io.framewire.codec.RemoteErrorException;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** {@code framewire client}: send a video to a server and receive the processed one. */
@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Upload a video to a framewire server, wait for it to be processed, and save the result. " +
        "The job's metrics are printed on stdout as JSON.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:local I/O error (cannot write --out)",
        "2:usage error (an option wrong or missing, --video missing, unreadable or empty, an --out extension or " +
            "--codec framewire does not write)",
        "3:cannot connect to the server",
        "4:the server reported an error (its code is printed)",
        "5:checksum failure of the returned file",
        "6:the input is damaged or cut short: the output, saved, holds every frame that decoded",
        "7:the connection to the server broke and could not be made again for --reconnect-s (the job goes on, or " +
            "its upload waits, there: --resume TOKEN takes it up), or broke before the server accepted the job",
        "130:interrupted"})
public final class ClientMain implements Callable<Integer>
{
    enum Processing
    {
        blur, faces, edges, motion, custom
    }

    enum Protocol
    {
        file, stream
    }

    static final class Family
    {
        @Option(names = "--ipv4", description = "Connect over IPv4 only") boolean ipv4;
        @Option(names = "--ipv6", description = "Connect over IPv6 only") boolean ipv6;
    }

    @Option(names = "--host", description = "Server host name or address (default: ${DEFAULT-VALUE})")
    String host = "::1";

    @Option(names = "--port", description = "Server port (default: ${DEFAULT-VALUE})")
    int port = 9090;

    @Option(names = "--tls", description = "Speak TLS 1.3 with the server (started with --tls-keystore)")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM certificates the server's must be signed by " +
        "(implies --tls; default: the system's trusted authorities)")
    Path ca;

    @Option(names = "--token", description = "This client's token, for a server that asks for one (default: the " +
        "environment's FRAMEWIRE_TOKEN); better the variable than the option, which other users can see in ps")
    String token = System.getenv("FRAMEWIRE_TOKEN");

    @ArgGroup(exclusive = true)
    Family family = new Family();

    @Option(names = "--source-address", paramLabel = "ADDRESS", description = "Local address to connect from, on " +
        "a host with several (a balancer in front of several servers keeps a client on one by its address)")
    String sourceAddress;

    @Option(names = "--video", description = "Video file to process")
    Path video;

    @Option(names = "--resume", paramLabel = "TOKEN", description = "Take up a job started before (by this or " +
        "another client, which printed its token at accept) and save its output to --out; with --video, the same " +
        "file, when its upload broke off")
    String resume;

    @Option(names = "--reconnect-s", paramLabel = "SECONDS", description = "When the connection breaks, how long " +
        "to keep connecting again (0.5 s apart, doubling to 5 s) to take the job up where it was: the upload and " +
        "the output from the bytes each side has (default: ${DEFAULT-VALUE})")
    int reconnectS = 120;

    @Option(names = "--processing", description = "One of: ${COMPLETION-CANDIDATES} (default: the server's)")
    Processing processing;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
        description = "A filter parameter, e.g. --param method=median --param ksize=5 (see docs/filters.md)")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--pipeline", paramLabel = "SPEC",
        description = "A custom filter pipeline, e.g. 'gray|gaussian:ksize=5|canny:low=50,high=150' (implies custom)")
    String pipeline;

    @Option(names = "--protocol",
        description = "file: upload, then process; stream: process while uploading (default: ${DEFAULT-VALUE})")
    Protocol protocol = Protocol.file;

    @Option(names = "--codec", description = "Output codec: h264 or vp9 (default: what --out's extension says, " +
        ".webm: vp9; else the server's)")
    String codec;

    @Option(names = "--bitrate", paramLabel = "KBPS", description =
        "Output video bitrate in kbit/s (default: the server picks)")
    long bitrateKbps;

    @Option(names = "--out", description = "Where to write the processed video: .mp4, .webm (VP9) or .mkv " +
        "(default: ${DEFAULT-VALUE})")
    Path out = Path.of("output.mp4");

    @Option(names = "--preview", description = "Print the URL of this job's live preview page on stderr once accepted")
    boolean preview;

    @Option(names = "--quiet", description = "No progress on stderr")
    boolean quiet;

    @Option(names = "--json", description = "The result's JSON on stdout even when it is a terminal (it always is " +
        "when stdout is a file or a pipe)")
    boolean json;

    @Option(names = "--metrics-json", paramLabel = "PATH", description = "Where the result's JSON goes when stdout " +
        "is a terminal, which gets a short summary instead (default: the output's name + .json)")
    Path metricsJson;

    private final PrintStream stdout;
    private final PrintStream stderr;
    /** The connection the job's output comes on now: the first, or one made again after it broke. */
    private volatile MessageStream current;
    private volatile Socket reconnected;
    /** The socket under {@link #current}: closed when it broke, so nothing more goes out on it. */
    private volatile Socket currentSocket;
    private volatile String jobToken;
    private volatile boolean uploaded;
    private volatile boolean cancelling;
    /** Set once the result arrived: Ctrl-C after it cancels nothing. */
    private volatile boolean finished;

    public ClientMain()
    {
        this(System.out, System.err);
    }

    ClientMain(final PrintStream stdout, final PrintStream stderr)
    {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /** Runs the client and returns its exit code. */
    public static int run(final String... args)
    {
        return run(System.out, System.err, args);
    }

    /** Runs the client with the given stdout and stderr, and returns its exit code. */
    public static int run(final PrintStream stdout, final PrintStream stderr, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new ClientMain(stdout, stderr))
            .setExitCodeExceptionMapper(ex -> ExitCode.USAGE);
        commandLine.setErr(new PrintWriter(stderr, true));
        commandLine.setOut(new PrintWriter(stdout, true));
        return commandLine.execute(args);
    }

    @Override
    public Integer call()
    {
        if (video == null && resume == null)
        {
            return fail(ExitCode.USAGE, "--video FILE is needed (or --resume TOKEN to take up a job)");
        }
        if (video != null)
        {
            final String problem = videoProblem();
            if (problem != null)
            {
                return fail(ExitCode.USAGE, problem);
            }
        }
        final OutputContainer container = OutputContainer.forFileName(out.getFileName().toString());
        if (container == null)
        {
            return fail(ExitCode.USAGE, "--out " + out + ": framewire writes " + OutputContainer.extensions() +
                " files; name the output with one of those extensions");
        }
        if (codec != null && !container.codecs().contains(codec))
        {
            return fail(ExitCode.USAGE, "--codec " + codec + " does not go in a ." + container.wireName() +
                " file, which holds " + String.join(" or ", container.codecs()));
        }
        final String outputCodec = codec != null ? codec : container.impliesCodec() ? container.codecs().get(0) : "";
        // A local mistake is said before the network is tried.
        final Path partial = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".part");
        if (!Files.isDirectory(partial.getParent()))
        {
            return fail(ExitCode.IO_ERROR, "cannot write --out " + out + ": there is no directory " +
                partial.getParent());
        }
        final Socket socket;
        try
        {
            socket = open();
        }
        catch (final ClientFailure failure)
        {
            return fail(failure.code, failure.getMessage());
        }
        try
        {
            // Before a byte is uploaded: an output that cannot be written is found now, not after the whole job.
            Files.newOutputStream(partial).close();
        }
        catch (final IOException ex)
        {
            closeQuietly(socket);
            return fail(ExitCode.IO_ERROR, "cannot write --out " + out + ": " + describe(ex));
        }
        // Ctrl-C or a kill ends the JVM without running the finally below: the hook removes the partial output then.
        final Thread cleanup = new Thread(() ->
        {
            cancelJob();
            deleteQuietly(partial);
        }, "client-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (socket; MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(),
            4 * 1024 * 1024))
        {
            socket.setTcpNoDelay(true);
            current = stream;
            currentSocket = socket;
            return resume != null ? resumeJob(stream, partial) : runJob(stream, partial, container, outputCodec);
        }
        catch (final RemoteErrorException ex)
        {
            return fail(ExitCode.SERVER_ERROR, "server error " + ex.getMessage());
        }
        catch (final ProtocolException ex)
        {
            return fail(ex.code() == ErrorCode.CHECKSUM_MISMATCH ? ExitCode.CHECKSUM : ExitCode.SERVER_ERROR,
                ex.code().wireName() + ": " + ex.getMessage());
        }
        catch (final EOFException | SocketException ex)
        {
            return fail(ExitCode.CONNECTION_LOST, "connection_lost: the connection to the server broke mid-job (" +
                (ex instanceof EOFException ? "the server closed it" : describe(ex)) + ")" + (jobToken == null ?
                "; it may have crashed or restarted. Nothing was saved; run the job again" :
                " and could not be made again in " + reconnectS + " s; " + (uploaded ? "the job goes on there: " +
                "./framewire client --resume " + jobToken + " --out " + out + " takes it up" : "its upload waits " +
                "there (for the server's --abandoned-after): ./framewire client --resume " + jobToken + " --video " +
                video + " --out " + out + " sends the rest")));
        }
        catch (final IOException ex)
        {
            return fail(ExitCode.IO_ERROR, describe(ex));
        }
        catch (final CancellationException ex)
        {
            return ExitCode.INTERRUPTED; // Ctrl-C stopped the upload; the hook told the server
        }
        finally
        {
            closeQuietly(reconnected);
            deleteQuietly(partial);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignored)
            {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }

    /** What is wrong with --video and the options that go with it, or null. */
    private String videoProblem()
    {
        if (!Files.isRegularFile(video) || !Files.isReadable(video))
        {
            return "cannot read video " + video;
        }
        if (pipeline != null && processing != null && processing != Processing.custom)
        {
            return "--pipeline makes the processing custom; drop --processing " + processing;
        }
        try
        {
            if (Files.size(video) == 0)
            {
                return video + " is empty (0 bytes)";
            }
        }
        catch (final IOException ex)
        {
            return "cannot read video " + video + ": " + describe(ex);
        }
        return null;
    }

    private static void deleteQuietly(final Path partial)
    {
        try
        {
            Files.deleteIfExists(partial);
        }
        catch (final IOException ignored)
        {
            // best effort: the partial file has a dot name beside --out
        }
    }

    /** @return the exit code: {@link ExitCode#OK}, or {@link ExitCode#INCOMPLETE} for a damaged input. */
    private int runJob(final MessageStream stream, final Path partial, final OutputContainer container,
        final String outputCodec) throws IOException
    {
        final long size = Files.size(video);
        final Map<String, String> jobParams = new TreeMap<>(params);
        String processingName = processing == null ? "" : processing.name();
        if (pipeline != null)
        {
            processingName = Processing.custom.name();
            jobParams.put("pipeline", pipeline);
        }
        stream.write(new Handshake(Handshake.PROTOCOL_VERSION, processingName, protocol.name(),
            video.getFileName().toString(), size, jobParams, outputCodec, container.wireName(), bitrateKbps,
            token == null ? "" : token));
        stream.flush();
        final ControlMessage.Ready ready = awaitReady(stream);
        if (preview)
        {
            stderr.println(ready.previewPort() > 0 ? "preview: http://" + hostPort(host, ready.previewPort()) +
                "/jobs/" + ready.jobId() + "/" + (ready.viewToken() == null ? "" : "?token=" + ready.viewToken()) :
                "preview: the server runs no preview web server");
        }
        jobToken = ready.resumeToken();
        if (jobToken != null && !quiet)
        {
            stderr.println("job " + ready.jobId() + "; if this client stops, ./framewire client --resume " + jobToken +
                " --out " + out + " takes it up");
        }
        stderr.flush();
        final ControlMessage result = transfer(stream, partial, size, ready.maxChunkBytes(), 0);
        return finishJob(result, partial);
    }

    /** The server's answer to a handshake or a resume: {@code ready}, or its error as an exception. */
    private static ControlMessage.Ready awaitReady(final MessageStream stream) throws IOException
    {
        stream.read();
        final ControlMessage reply = stream.json();
        if (reply instanceof ControlMessage.Error error)
        {
            throw new RemoteErrorException(error.code(), error.message());
        }
        if (!(reply instanceof ControlMessage.Ready ready))
        {
            throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "expected ready, got " + reply);
        }
        return ready;
    }

    /**
     * After {@code ready} to a {@code resume}: the rest of the upload if it broke off (from --video, the same file),
     * the output from its first byte on, and the result.
     */
    private int resumeJob(final MessageStream stream, final Path partial) throws IOException
    {
        stream.write(new ControlMessage.Resume(resume, 0, token == null ? "" : token));
        stream.flush();
        final ControlMessage.Ready ready = awaitReady(stream);
        jobToken = resume;
        if (ready.uploadOffset() >= 0 && video == null)
        {
            return fail(ExitCode.USAGE, "job " + ready.jobId() + ": its upload broke off at byte " +
                ready.uploadOffset() + "; give --video FILE (the same file) to send the rest");
        }
        uploaded = ready.uploadOffset() < 0;
        if (!quiet)
        {
            stderr.println("job " + ready.jobId() + ": taking up " + (uploaded ? "its output" : "its upload from " +
                "byte " + ready.uploadOffset()));
        }
        return finishJob(transfer(stream, partial, uploaded ? 0 : Files.size(video), ready.maxChunkBytes(),
            ready.uploadOffset()), partial);
    }

    /**
     * The upload from byte {@code uploadFrom} (none when -1), the output and the result, with progress on stderr.
     * When the connection breaks, connects again and goes on where it was: the upload from the byte the server says
     * it has, the output from the bytes {@code partial} holds.
     */
    private ControlMessage transfer(final MessageStream first, final Path partial, final long size,
        final int maxChunkBytes, final long uploadFrom) throws IOException
    {
        final boolean upload = uploadFrom >= 0;
        final boolean terminal = stderr == System.err && Terminal.stderrIsTerminal();
        // On a terminal a note waits for the progress region to close: printed inside it, a redraw would eat it.
        final List<String> notes = new CopyOnWriteArrayList<>();
        ControlMessage result;
        try (Progress uploadBar = Progress.start(stderr, "upload", size, "MiB", 1 << 20, terminal,
            quiet || !upload);
            Progress processing = Progress.start(stderr, "process", -1, " frames", 1, terminal, quiet);
            Progress download = Progress.start(stderr, "download", -1, "MiB", 1 << 20, terminal, quiet))
        {
            final int chunkBytes = Math.min(FileSender.DEFAULT_CHUNK_BYTES, maxChunkBytes);
            final FileReceiver receiver = new FileReceiver(Long.MAX_VALUE, update ->
            {
                processing.maxHint(update.framesTotal());
                processing.stepTo(update.framesDone());
            }, notice ->
            {
                if (!quiet && terminal)
                {
                    notes.add("note: " + notice.message());
                }
                else if (!quiet)
                {
                    stderr.println("note: " + notice.message());
                    stderr.flush();
                }
            });
            MessageStream stream = first;
            long uploadNext = uploadFrom;
            boolean resumed = false;
            while (true)
            {
                try
                {
                    result = exchange(stream, partial, receiver, chunkBytes, uploadNext, resumed, uploadBar, download);
                    break;
                }
                catch (final EOFException | SocketException | SSLException ex)
                {
                    if (jobToken == null || reconnectS <= 0)
                    {
                        throw ex;
                    }
                    final ControlMessage.Ready ready = reconnect(partial, ex, download);
                    stream = current;
                    uploadNext = ready.uploadOffset();
                    uploaded |= uploadNext < 0; // the server had it all, whatever this side saw of its end
                    resumed = true;
                }
            }
            uploadBar.close();
            if (result instanceof ControlMessage.Result done)
            {
                // The bars end where the job did, not at their last sample.
                final long frames = done.body().path("frames").asLong();
                processing.maxHint(frames);
                processing.stepTo(frames);
                final long bytes = Files.size(partial);
                download.maxHint(bytes);
                download.stepTo(bytes);
            }
        }
        notes.forEach(stderr::println);
        return result;
    }

    /**
     * One connection's part of the job: the upload from {@code uploadFrom} (none when -1), at once with the output
     * ({@code stream} protocol) or before it, then the output ({@code resumed}: after the bytes {@code partial} holds)
     * and the result.
     */
    private ControlMessage exchange(final MessageStream stream, final Path partial, final FileReceiver receiver,
        final int chunkBytes, final long uploadFrom, final boolean resumed, final Progress uploadBar,
        final Progress download) throws IOException
    {
        CompletableFuture<Void> sent = null;
        if (uploadFrom >= 0 && protocol == Protocol.stream)
        {
            // Upload and download at once: processed output arrives while the upload goes on.
            sent = CompletableFuture.runAsync(() -> sendVideo(stream, chunkBytes, uploadFrom, uploadBar),
                runnable -> Thread.ofVirtual().name("upload").start(runnable));
        }
        else if (uploadFrom >= 0)
        {
            FileSender.send(video, stream, chunkBytes, uploadFrom, sending(uploadBar));
            uploaded = true;
        }
        try
        {
            if (resumed)
            {
                receiver.resume(stream, partial, Files.size(partial), download::stepTo);
            }
            else
            {
                try (OutputStream to = Files.newOutputStream(partial))
                {
                    receiver.receive(stream, to, download::stepTo);
                }
            }
            stream.read();
        }
        catch (final IOException ex)
        {
            if (sent != null)
            {
                // The server's own error, if any, says more than the broken upload it causes; a broken connection
                // ends the upload on it before the next one starts.
                closeQuietly(currentSocket);
                sent.handle((ignored, failure) -> null).join();
            }
            throw ex;
        }
        if (sent != null)
        {
            awaitUpload(sent);
        }
        return stream.json();
    }

    /** The result: the output saved where --out says, and the metrics for people or programs. */
    private int finishJob(final ControlMessage result, final Path partial) throws IOException
    {
        finished = true;
        if (result instanceof ControlMessage.Error error)
        {
            throw new RemoteErrorException(error.code(), error.message());
        }
        if (!(result instanceof ControlMessage.Result metrics))
        {
            throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "expected the result, got " + result);
        }
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        final boolean complete = "ok".equals(metrics.body().path("status").asText());
        final byte[] resultJson = JsonMessages.encode(metrics);
        if (!json && stdout == System.out && System.console() != null && System.console().isTerminal())
        {
            // A person is reading: a few lines, and the metrics in a file beside the output.
            final Path file = metricsJson != null ? metricsJson :
                out.resolveSibling(out.getFileName() + ".json");
            Files.write(file, resultJson);
            stdout.println(ResultSummary.of(metrics.body(), out.toString(), file.toString()));
        }
        else
        {
            if (!quiet && complete)
            {
                stderr.println("saved " + out);
            }
            stdout.println(new String(resultJson, StandardCharsets.UTF_8));
        }
        stdout.flush();
        if (!complete)
        {
            stderr.println("framewire client: the input is incomplete: " +
                metrics.body().path("input_errors").path("stopped").asText("see input_errors") + "; saved the " +
                metrics.body().path("frames").asLong() + " frames that decoded to " + out);
            return ExitCode.INCOMPLETE;
        }
        return ExitCode.OK;
    }

    /**
     * Connects again (0.5 s apart, doubling to 5 s, for --reconnect-s) and resumes the job: the server's
     * {@code ready}, on the connection that becomes {@link #current}.
     */
    private ControlMessage.Ready reconnect(final Path partial, final IOException cause, final Progress download)
        throws IOException
    {
        closeQuietly(currentSocket);
        // On a terminal the download's line says it; a log gets a line.
        final boolean log = !quiet && !(stderr == System.err && Terminal.stderrIsTerminal());
        if (log)
        {
            stderr.println("framewire client: the connection broke (" + (cause instanceof EOFException ?
                "the server closed it" : describe(cause)) + "); connecting again for up to " + reconnectS + " s");
            stderr.flush();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(reconnectS);
        long backoffMs = 500;
        int attempt = 0;
        while (true)
        {
            download.waiting("reconnecting (try " + ++attempt + ", " +
                Math.max(0, TimeUnit.NANOSECONDS.toSeconds(deadlineNs - System.nanoTime())) + " s left)");
            try
            {
                Thread.sleep(backoffMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw cause;
            }
            backoffMs = Math.min(5_000, backoffMs * 2);
            Socket socket = null;
            try
            {
                socket = open();
                socket.setTcpNoDelay(true);
                final MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream(),
                    4 * 1024 * 1024);
                stream.write(new ControlMessage.Resume(jobToken, Files.size(partial), token == null ? "" : token));
                stream.flush();
                final ControlMessage.Ready ready = awaitReady(stream);
                if (ready.outputOffset() >= 0 && ready.outputOffset() < Files.size(partial))
                {
                    // The server carried the job on from an earlier byte: what this side has past it is rewritten.
                    try (FileChannel file = FileChannel.open(partial, StandardOpenOption.WRITE))
                    {
                        file.truncate(ready.outputOffset());
                    }
                    download.stepTo(ready.outputOffset());
                }
                closeQuietly(reconnected);
                reconnected = socket;
                currentSocket = socket;
                current = stream;
                download.waiting(null);
                if (log)
                {
                    stderr.println("framewire client: connected again; " + (ready.uploadOffset() >= 0 ?
                        "the upload goes on from byte " + ready.uploadOffset() + ", " : "") +
                        "the output from byte " + Files.size(partial));
                }
                return ready;
            }
            catch (final ClientFailure | IOException ex)
            {
                closeQuietly(socket);
                if (ex instanceof RemoteErrorException remote && !ErrorCode.BUSY.wireName().equals(remote.code()))
                {
                    throw remote; // the server is there and says no (unknown_job, cancelled): trying again is no use
                }
                if (System.nanoTime() > deadlineNs)
                {
                    throw cause;
                }
            }
        }
    }

    /** Ctrl-C: the server is told to stop the job (a kill tells it nothing: the job goes on, or waits). */
    private void cancelJob()
    {
        final MessageStream stream = current;
        if (stream != null && jobToken != null && !finished)
        {
            cancelling = true; // the upload stops after the chunk it sends, and the cancel goes next
            try
            {
                stream.write(new ControlMessage.Cancel());
                stream.flush();
            }
            catch (final IOException ignored)
            {
                // gone already
            }
        }
    }

    /** The upload's progress after each chunk; it stops there once the job is being cancelled. */
    private LongConsumer sending(final Progress bar)
    {
        return sent ->
        {
            if (cancelling)
            {
                throw new CancellationException("the job is cancelled");
            }
            bar.stepTo(sent);
        };
    }

    /** An I/O failure in one line a person reads: what failed and why, without exception class names. */
    private static String describe(final IOException ex)
    {
        return switch (ex)
        {
            case NoSuchFileException missing -> missing.getFile() + ": no such file or directory";
            case AccessDeniedException denied -> denied.getFile() + ": permission denied";
            case FileSystemException other -> other.getFile() + ": " +
                (other.getReason() != null ? other.getReason() : "cannot be used");
            default -> ex.getMessage() != null ? ex.getMessage() : ex.toString();
        };
    }

    private void sendVideo(final MessageStream stream, final int chunkBytes, final long offset, final Progress upload)
    {
        try
        {
            FileSender.send(video, stream, chunkBytes, offset, sending(upload));
            uploaded = true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A failed upload matters only when the server did not say why first. */
    private static void awaitUpload(final CompletableFuture<Void> sent) throws IOException
    {
        try
        {
            sent.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during the upload");
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof UncheckedIOException io)
            {
                throw io.getCause();
            }
            if (ex.getCause() instanceof CancellationException cancelled)
            {
                throw cancelled;
            }
            throw new IOException(ex.getCause());
        }
    }

    /** A TLS failure in words: the JDK's messages name the check, not what to do about it. */
    private String tlsProblem(final Exception ex)
    {
        final String message = String.valueOf(ex.getMessage());
        if (message.contains("PKIX path") || message.contains("unable to find valid certification path"))
        {
            return "the server's certificate is not signed by " + (ca != null ? "--ca " + ca :
                "an authority this system trusts (give --ca FILE)");
        }
        if (message.contains("No subject alternative") || message.contains("doesn't match"))
        {
            return "the server's certificate is not for " + host + " (" + message + ")";
        }
        if (ex instanceof NoSuchFileException missing)
        {
            return "--ca " + missing.getFile() + ": no such file";
        }
        return message + " (is the server started with --tls-keystore?)";
    }

    /** A failure the client ends with: its exit code and its one line. */
    private static final class ClientFailure extends Exception
    {
        private static final long serialVersionUID = 1L;
        private final int code;

        ClientFailure(final int code, final String message)
        {
            super(message);
            this.code = code;
        }
    }

    /** A connection to the server, in TLS when asked for. */
    private Socket open() throws ClientFailure
    {
        final InetAddress address;
        try
        {
            address = resolve();
        }
        catch (final UnknownHostException ex)
        {
            throw new ClientFailure(ExitCode.CANNOT_CONNECT, "cannot resolve " + ex.getMessage());
        }
        final Socket plain = new Socket();
        try
        {
            if (sourceAddress != null)
            {
                plain.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
            }
            plain.connect(new InetSocketAddress(address, port), 10_000);
        }
        catch (final IOException ex)
        {
            closeQuietly(plain);
            throw new ClientFailure(ExitCode.CANNOT_CONNECT, "cannot connect to " + hostPort(address) + ": " +
                ex.getMessage());
        }
        if (tls || ca != null)
        {
            try
            {
                return ClientTls.wrap(plain, host, port, ca);
            }
            catch (final IOException | GeneralSecurityException ex)
            {
                closeQuietly(plain);
                throw new ClientFailure(ExitCode.CANNOT_CONNECT, "no TLS with " + hostPort(address) + ": " +
                    tlsProblem(ex));
            }
        }
        return plain;
    }

    private InetAddress resolve() throws UnknownHostException
    {
        final InetAddress[] all = InetAddress.getAllByName(host);
        for (final InetAddress candidate : all)
        {
            if ((!family.ipv4 || candidate instanceof Inet4Address) && (!family.ipv6 ||
                candidate instanceof Inet6Address))
            {
                return candidate;
            }
        }
        throw new UnknownHostException(host + " has no " + (family.ipv4 ? "IPv4" : "IPv6") + " address");
    }

    private String hostPort(final InetAddress address)
    {
        return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]:" + port :
            address.getHostAddress() + ":" + port;
    }

    private static String hostPort(final String host, final int port)
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private int fail(final int code, final String message)
    {
        stderr.println("framewire client: " + message);
        return code;
    }

    private static void closeQuietly(final Socket socket)
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
            // already failing
        }
    }
}
