package io.framewire.server.metrics;

import io.framewire.server.access.Secrets;
import io.framewire.server.job.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Running jobs and the most recent finished ones, for the metrics and the preview. A finished job's output is
 * kept (moved under {@code preview/} in the data directory) so its frames stay viewable, until
 * {@link #KEEP_FINISHED} newer jobs have finished; then it is deleted. Each admitted job has a view token, handed to
 * its client only: the preview shows a job to whoever presents it. Thread-safe.
 */
public final class JobHistory implements AutoCloseable
{
    public static final int KEEP_FINISHED = 4;
    /** Frames' JPEGs kept per job for the preview (the live page asks for the same few over and over). */
    private static final int CACHED_FRAMES = 32;
    private static final int VIEW_TOKEN_BITS = 128;

    private static final Logger LOG = LoggerFactory.getLogger(JobHistory.class);

    private final Path previewDir;
    private final Map<Long, Entry> entries = new LinkedHashMap<>();
    private final Map<Long, byte[]> viewTokenHashes = new HashMap<>();
    private final AtomicLong finishedOk = new AtomicLong();
    private final AtomicLong finishedFailed = new AtomicLong();

    /** A job with where its output is and its preview GIF. */
    public static final class Entry
    {
        private final Job job;
        private final PreviewGif gif;
        private final Thumbnails thumbnails;
        private final Map<Integer, byte[]> frames = new LinkedHashMap<>(16, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Integer, byte[]> eldest)
            {
                return size() > CACHED_FRAMES;
            }
        };
        private volatile Path output;
        private volatile boolean finished;

        Entry(final Job job, final Path output, final PreviewGif gif, final Thumbnails thumbnails)
        {
            this.job = job;
            this.output = output;
            this.gif = gif;
            this.thumbnails = thumbnails;
        }

        public Thumbnails thumbnails()
        {
            return thumbnails;
        }

        public Job job()
        {
            return job;
        }

        /** The output file while it is written and after, or null once no longer kept. */
        public Path output()
        {
            return output;
        }

        public PreviewGif gif()
        {
            return gif;
        }

        public boolean finished()
        {
            return finished;
        }

        /** A frame's JPEG made before, or null: a written frame never changes, so it is made once. */
        public synchronized byte[] cachedFrame(final int frame)
        {
            return frames.get(frame);
        }

        public synchronized void cacheFrame(final int frame, final byte[] jpeg)
        {
            frames.put(frame, jpeg);
        }
    }

    public JobHistory(final Path dataDir) throws IOException
    {
        previewDir = dataDir.resolve("preview");
        Files.createDirectories(previewDir);
    }

    /** A new job may be watched: its view token, which only its client is told. */
    public synchronized String admit(final long jobId)
    {
        final String token = Secrets.newSecret("", VIEW_TOKEN_BITS);
        viewTokenHashes.put(jobId, Secrets.sha256(token));
        return token;
    }

    /**
     * A job taken up again (after its upload broke off, or by a restarted server): the view token its client holds
     * still works where this server made it; otherwise the job gets one nobody holds (only operators see it).
     */
    public synchronized void readmit(final long jobId)
    {
        viewTokenHashes.computeIfAbsent(jobId, id -> Secrets.sha256(Secrets.newSecret("", VIEW_TOKEN_BITS)));
    }

    /**
     * The job stopped to wait for the rest of its upload: it is neither ok nor failed, and is started again when its
     * client resumes it; its view token stays.
     */
    public synchronized void suspended(final long jobId)
    {
        entries.remove(jobId);
    }

    /** Whether {@code token} is the view token of job {@code jobId}, still kept. */
    public boolean mayView(final long jobId, final String token)
    {
        final byte[] hash;
        synchronized (this)
        {
            hash = viewTokenHashes.get(jobId);
        }
        return hash != null && Secrets.matches(hash, token);
    }

    public synchronized void started(final Job job, final Path output, final PreviewGif gif,
        final Thumbnails thumbnails)
    {
        entries.put(job.id(), new Entry(job, output, gif, thumbnails));
    }

    /**
     * The job ended. A successful job's output is moved into the preview directory and kept; the caller must
     * not use {@code output} afterwards.
     */
    public void finished(final long jobId, final boolean ok)
    {
        final Entry entry;
        synchronized (this)
        {
            entry = entries.get(jobId);
        }
        if (entry == null)
        {
            synchronized (this)
            {
                viewTokenHashes.remove(jobId); // refused before it started: nothing to watch
            }
            return;
        }
        if (entry.finished)
        {
            return;
        }
        (ok ? finishedOk : finishedFailed).incrementAndGet();
        final Path output = entry.output;
        entry.output = null;
        if (ok && output != null && Files.exists(output))
        {
            final Path kept = previewDir.resolve("job-" + jobId + ".mp4");
            try
            {
                Files.move(output, kept, StandardCopyOption.REPLACE_EXISTING);
                entry.output = kept;
            }
            catch (final IOException ex)
            {
                LOG.warn("job {}: cannot keep the output for the preview: {}", jobId, ex.getMessage());
            }
        }
        entry.finished = true;
        evict();
    }

    private void evict()
    {
        final List<Entry> dropped = new ArrayList<>();
        synchronized (this)
        {
            int finished = 0;
            final List<Entry> newestFirst = new ArrayList<>(entries.values()).reversed();
            for (final Entry entry : newestFirst)
            {
                if (entry.finished && ++finished > KEEP_FINISHED)
                {
                    entries.remove(entry.job.id());
                    viewTokenHashes.remove(entry.job.id());
                    dropped.add(entry);
                }
            }
        }
        dropped.forEach(JobHistory::deleteOutput);
    }

    private static void deleteOutput(final Entry entry)
    {
        final Path output = entry.output;
        entry.output = null;
        if (output != null)
        {
            try
            {
                Files.deleteIfExists(output);
            }
            catch (final IOException ex)
            {
                LOG.warn("cannot delete {}: {}", output, ex.getMessage());
            }
        }
    }

    /** Jobs finished since the server started: {ok, failed}. */
    public long[] finishedCounts()
    {
        return new long[] {finishedOk.get(), finishedFailed.get()};
    }

    /** Oldest first. */
    public synchronized List<Entry> entries()
    {
        return List.copyOf(entries.values());
    }

    public synchronized Entry get(final long jobId)
    {
        return entries.get(jobId);
    }

    /** The most recently started job, or null. */
    public synchronized Entry latest()
    {
        Entry latest = null;
        for (final Entry entry : entries.values())
        {
            latest = entry;
        }
        return latest;
    }

    @Override
    public void close()
    {
        final List<Entry> all;
        synchronized (this)
        {
            all = List.copyOf(entries.values());
            entries.clear();
            viewTokenHashes.clear();
        }
        all.stream().filter(Entry::finished).forEach(JobHistory::deleteOutput);
    }
}
