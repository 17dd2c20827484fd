package io.framewire.server.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.codec.JsonMessages;
import io.framewire.server.job.Job;
import io.framewire.transport.WorkerStatus;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.agrona.concurrent.NanoClock;
import java.util.function.Supplier;
import com.sun.management.OperatingSystemMXBean;

/**
 * The server's live figures, per job and overall: frame rates (sampled every second), queues, retries,
 * latency percentiles, and CPU use of the server and of each worker (from their heartbeats). Rendered as JSON for
 * {@code /metrics} and as Prometheus snapshots for {@code /metrics/prometheus}.
 */
public final class ServerMetrics implements AutoCloseable
{
    private static final long SAMPLE_INTERVAL_MS = 1000;
    /** The JSON document is made at most this often, however many ask for it. */
    public static final long JSON_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final JobHistory history;
    private final Supplier<List<WorkerStatus>> workers;
    private final OperatingSystemMXBean os =
        (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
        runnable -> Thread.ofPlatform().daemon().name("metrics-sampler").unstarted(runnable));
    private final NanoClock clock;
    private final Path dataDir;
    private final long startNs;
    private ObjectNode json;
    private long jsonMadeNs;

    // sampler thread writes, readers see the latest maps
    private volatile Map<Long, double[]> jobRates = Map.of();
    private volatile Map<Integer, Double> workerCpuPercent = Map.of();
    private volatile double serverCpuPercent;
    private Map<Long, long[]> lastJobCounts = new HashMap<>();
    private Map<Integer, Long> lastWorkerCpu = new HashMap<>();
    private long lastServerCpu;
    private long lastSampleNs = System.nanoTime();

    /** @param dataDir whose disk's free space is reported. */
    public ServerMetrics(final JobHistory history, final Supplier<List<WorkerStatus>> workers, final Path dataDir,
        final NanoClock clock)
    {
        this.dataDir = dataDir;
        this.history = history;
        this.workers = workers;
        this.clock = clock;
        this.startNs = clock.nanoTime();
        sampler.scheduleAtFixedRate(this::sample, SAMPLE_INTERVAL_MS, SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void sample()
    {
        final long nowNs = System.nanoTime();
        final double seconds = (nowNs - lastSampleNs) / 1e9;
        lastSampleNs = nowNs;
        final Map<Long, double[]> rates = new HashMap<>();
        final Map<Long, long[]> counts = new HashMap<>();
        for (final JobHistory.Entry entry : history.entries())
        {
            final Job job = entry.job();
            final long[] now = {job.ring().decoded(), job.stats().completed(), job.ring().encoded()};
            final long first = job.ring().firstFrame(); // a carried-on job's ring starts there
            final long[] before = lastJobCounts.getOrDefault(job.id(), new long[] {first, 0, first});
            counts.put(job.id(), now);
            rates.put(job.id(), new double[] {
                (now[0] - before[0]) / seconds, (now[1] - before[1]) / seconds, (now[2] - before[2]) / seconds});
        }
        lastJobCounts = counts;
        jobRates = rates;

        final Map<Integer, Double> cpu = new HashMap<>();
        final Map<Integer, Long> cpuNow = new HashMap<>();
        for (final WorkerStatus worker : workers.get())
        {
            cpuNow.put(worker.workerId(), worker.cpuNanos());
            final Long before = lastWorkerCpu.get(worker.workerId());
            cpu.put(worker.workerId(), before == null ? 0.0 : 100.0 * (worker.cpuNanos() - before) / (seconds * 1e9));
        }
        lastWorkerCpu = cpuNow;
        workerCpuPercent = cpu;
        final long serverCpu = os.getProcessCpuTime();
        serverCpuPercent = 100.0 * (serverCpu - lastServerCpu) / (seconds * 1e9);
        lastServerCpu = serverCpu;
    }

    /**
     * The {@code /metrics} document: the server and its workers, and the jobs whose ids {@code visible} accepts;
     * the overall figures count every job. Made at most every {@link #JSON_INTERVAL_NS}.
     */
    public ObjectNode json(final Predicate<String> visible)
    {
        final ObjectNode all;
        synchronized (this)
        {
            final long nowNs = clock.nanoTime();
            if (json == null || nowNs - jsonMadeNs >= JSON_INTERVAL_NS)
            {
                json = make(nowNs);
                jsonMadeNs = nowNs;
            }
            all = json;
        }
        final ObjectNode root = all.deepCopy();
        final ArrayNode jobs = root.putArray("jobs");
        for (final var job : all.get("jobs"))
        {
            if (visible.test(job.get("job").asText()))
            {
                jobs.add(job.deepCopy());
            }
        }
        return root;
    }

    private ObjectNode make(final long nowNs)
    {
        final ObjectNode root = JsonMessages.MAPPER.createObjectNode();
        final List<JobHistory.Entry> entries = history.entries();
        final Map<Long, double[]> rates = jobRates;

        final ObjectNode server = root.putObject("server");
        server.put("pid", ProcessHandle.current().pid());
        server.put("uptime_s", JobJson.round((nowNs - startNs) / 1e9));
        server.put("cpu_percent", JobJson.round(serverCpuPercent));
        server.put("jobs_running", entries.stream().filter(e -> e.job().running()).count());

        final ArrayNode workerArray = root.putArray("workers");
        final Map<Integer, Double> cpu = workerCpuPercent;
        for (final WorkerStatus worker : workers.get())
        {
            workerArray.addObject()
                .put("worker_id", worker.workerId())
                .put("pid", worker.processId())
                .put("embedded", worker.embedded())
                .put("cpu_percent", JobJson.round(cpu.getOrDefault(worker.workerId(), 0.0)))
                .put("credits", worker.credits())
                .put("in_flight", worker.inFlight())
                .put("frames_done", worker.framesDone())
                .put("heartbeat_age_ms", worker.heartbeatAgeMs());
        }

        final ObjectNode overall = root.putObject("overall");
        double fpsIn = 0;
        double processed = 0;
        double fpsOut = 0;
        long retries = 0;
        long waitingDispatch = 0;
        long inFlight = 0;
        long waitingReorder = 0;
        final Histogram dispatchToResult = new Histogram(3_600_000_000_000L, 3);
        final Histogram decodeToEncode = new Histogram(3_600_000_000_000L, 3);
        final ArrayNode jobs = root.putArray("jobs");
        for (final JobHistory.Entry entry : entries.reversed())
        {
            final Job job = entry.job();
            final ObjectNode node = JobJson.progress(job);
            final double[] rate = job.running() ? rates.getOrDefault(job.id(), new double[3]) : new double[3];
            node.put("fps_in", JobJson.round(rate[0]));
            node.put("frames_processed_per_s", JobJson.round(rate[1]));
            node.put("fps_out", JobJson.round(rate[2]));
            final long total = job.ring().totalFrames();
            node.put("progress", total > 0 ? JobJson.round((double)job.ring().encoded() / total) :
                job.running() ? 0 : 1);
            node.put("frame_url", "/jobs/" + job.id() + "/frame/");
            node.put("gif_url", "/jobs/" + job.id() + "/preview.gif");
            node.put("thumbnails", entry.thumbnails().all().size());
            jobs.add(node);
            fpsIn += rate[0];
            processed += rate[1];
            fpsOut += rate[2];
            retries += job.slots().retries();
            if (job.running())
            {
                final ObjectNode queued = (ObjectNode)node.get("queued");
                waitingDispatch += queued.get("waiting_dispatch").asLong();
                inFlight += queued.get("in_flight").asLong();
                waitingReorder += queued.get("waiting_reorder").asLong();
            }
            dispatchToResult.add(job.stats().dispatchToResult().snapshot());
            decodeToEncode.add(job.stats().decodeToEncode().snapshot());
        }
        overall.put("fps_in", JobJson.round(fpsIn));
        overall.put("frames_processed_per_s", JobJson.round(processed));
        overall.put("fps_out", JobJson.round(fpsOut));
        overall.put("retries", retries);
        final ObjectNode queued = overall.putObject("queued");
        queued.put("waiting_dispatch", waitingDispatch);
        queued.put("in_flight", inFlight);
        queued.put("waiting_reorder", waitingReorder);
        final ObjectNode latency = overall.putObject("latency_ms");
        JobJson.percentiles(latency.putObject("dispatch_to_result"), dispatchToResult);
        JobJson.percentiles(latency.putObject("decode_to_encode"), decodeToEncode);
        return root;
    }

    /** The same figures as Prometheus metrics, labelled by job and worker. */
    public MetricSnapshots prometheus()
    {
        final List<MetricSnapshot> metrics = new ArrayList<>();
        final Map<Long, double[]> rates = jobRates;
        final List<JobHistory.Entry> entries = history.entries();

        final GaugeSnapshot.Builder serverCpu = GaugeSnapshot.builder().name("framewire_server_cpu_percent")
            .help("CPU use of the server process, percent of one core");
        serverCpu.dataPoint(gauge(serverCpuPercent, Labels.EMPTY));
        metrics.add(serverCpu.build());

        final long[] finished = history.finishedCounts();
        metrics.add(CounterSnapshot.builder().name("framewire_jobs_finished")
            .help("Jobs ended since the server started, by status: ok (every frame) or failed")
            .dataPoint(counter(finished[0], Labels.of("status", "ok")))
            .dataPoint(counter(finished[1], Labels.of("status", "failed")))
            .build());
        metrics.add(GaugeSnapshot.builder().name("framewire_jobs_running").help("Jobs running now")
            .dataPoint(gauge(entries.stream().filter(e -> e.job().running()).count(), Labels.EMPTY)).build());
        metrics.add(GaugeSnapshot.builder().name("framewire_workers_connected")
            .help("Workers the server dispatches frames to now, embedded one included")
            .dataPoint(gauge(workers.get().size(), Labels.EMPTY)).build());
        try
        {
            final FileStore store = Files.getFileStore(dataDir);
            metrics.add(GaugeSnapshot.builder().name("framewire_data_dir_free_bytes")
                .help("Space left to the server on the disk of its data directory")
                .dataPoint(gauge(store.getUsableSpace(), Labels.EMPTY)).build());
            metrics.add(GaugeSnapshot.builder().name("framewire_data_dir_size_bytes")
                .help("Size of the disk of the server's data directory")
                .dataPoint(gauge(store.getTotalSpace(), Labels.EMPTY)).build());
        }
        catch (final IOException ex)
        {
            // the directory is gone: the series are missing, which an alert on absent() sees
        }

        final GaugeSnapshot.Builder workerCpu = GaugeSnapshot.builder().name("framewire_worker_cpu_percent")
            .help("CPU use of each worker process, percent of one core, from its heartbeats");
        final GaugeSnapshot.Builder workerInFlight = GaugeSnapshot.builder().name("framewire_worker_in_flight")
            .help("Frames a worker holds");
        final CounterSnapshot.Builder workerFrames = CounterSnapshot.builder().name("framewire_worker_frames")
            .help("Frames a worker has processed since it started");
        final Map<Integer, Double> cpu = workerCpuPercent;
        for (final WorkerStatus worker : workers.get())
        {
            final Labels labels = Labels.of("worker", Integer.toString(worker.workerId()), "pid",
                Long.toString(worker.processId()), "embedded", Boolean.toString(worker.embedded()));
            workerCpu.dataPoint(gauge(cpu.getOrDefault(worker.workerId(), 0.0), labels));
            workerInFlight.dataPoint(gauge(worker.inFlight(), labels));
            workerFrames.dataPoint(counter(worker.framesDone(), labels));
        }
        metrics.add(workerCpu.build());
        metrics.add(workerInFlight.build());
        metrics.add(workerFrames.build());

        final GaugeSnapshot.Builder fpsIn = GaugeSnapshot.builder().name("framewire_job_fps_in")
            .help("Frames decoded per second over the last second");
        final GaugeSnapshot.Builder processedRate =
            GaugeSnapshot.builder().name("framewire_job_frames_processed_per_second")
            .help("Frame results received per second over the last second");
        final GaugeSnapshot.Builder fpsOut = GaugeSnapshot.builder().name("framewire_job_fps_out")
            .help("Frames encoded per second over the last second");
        final CounterSnapshot.Builder encoded = CounterSnapshot.builder().name("framewire_job_frames_encoded")
            .help("Frames of the job written to its output");
        final CounterSnapshot.Builder retries = CounterSnapshot.builder().name("framewire_job_retries")
            .help("Frames sent again after a worker died, timed out or failed them");
        final GaugeSnapshot.Builder queued = GaugeSnapshot.builder().name("framewire_job_frames_queued")
            .help("Frames waiting for dispatch, in flight, or waiting to be reordered");
        final SummarySnapshot.Builder latency = SummarySnapshot.builder().name("framewire_job_latency_seconds")
            .help("Per-frame latency: dispatch to result, and decode to encode");
        for (final JobHistory.Entry entry : entries)
        {
            final Job job = entry.job();
            final Labels labels = Labels.of("job", Long.toString(job.id()), "processing", job.processing());
            final double[] rate = job.running() ? rates.getOrDefault(job.id(), new double[3]) : new double[3];
            fpsIn.dataPoint(gauge(rate[0], labels));
            processedRate.dataPoint(gauge(rate[1], labels));
            fpsOut.dataPoint(gauge(rate[2], labels));
            encoded.dataPoint(counter(job.ring().encoded(), labels));
            retries.dataPoint(counter(job.slots().retries(), labels));
            final long decoded = job.ring().decoded();
            final long dispatched = job.slots().dispatched();
            final long completed = job.ring().firstFrame() + job.stats().completed();
            queued.dataPoint(gauge(Math.max(0, decoded - dispatched), labels.add("queue", "waiting_dispatch")));
            queued.dataPoint(gauge(Math.max(0, dispatched - completed), labels.add("queue", "in_flight")));
            queued.dataPoint(gauge(Math.max(0, completed - job.ring().encoded()),
                labels.add("queue", "waiting_reorder")));
            latency.dataPoint(summary(job.stats().dispatchToResult().snapshot(), labels.add("span",
                "dispatch_to_result")));
            latency.dataPoint(summary(job.stats().decodeToEncode().snapshot(), labels.add("span", "decode_to_encode")));
        }
        metrics.add(fpsIn.build());
        metrics.add(processedRate.build());
        metrics.add(fpsOut.build());
        metrics.add(encoded.build());
        metrics.add(retries.build());
        metrics.add(queued.build());
        metrics.add(latency.build());
        return new MetricSnapshots(metrics);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(final double value, final Labels labels)
    {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    private static CounterSnapshot.CounterDataPointSnapshot counter(final double value, final Labels labels)
    {
        return CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    private static SummarySnapshot.SummaryDataPointSnapshot summary(final Histogram histogram, final Labels labels)
    {
        return SummarySnapshot.SummaryDataPointSnapshot.builder()
            .count(histogram.getTotalCount())
            .sum(histogram.getMean() * histogram.getTotalCount() / 1e9)
            .quantiles(Quantiles.of(
                new Quantile(0.5, histogram.getValueAtPercentile(50) / 1e9),
                new Quantile(0.95, histogram.getValueAtPercentile(95) / 1e9),
                new Quantile(0.99, histogram.getValueAtPercentile(99) / 1e9)))
            .labels(labels)
            .build();
    }

    @Override
    public void close()
    {
        sampler.shutdownNow();
    }
}
