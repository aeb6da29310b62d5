package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;
import io.berth.core.spec.RuntimeSpec;
import io.berth.core.protocol.MetricsReport;
import io.berth.core.protocol.WorkerReport;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent's workers: starts them idempotently by workerId, stops them, reports their states for
 * heartbeats, ships their metrics and logs, persists them in {@code <workDir>/workers.json} and
 * reconciles them after an agent restart. Thread-safe (public methods synchronise on this).
 *
 * <p>Final-state delivery: a finished worker is listed by {@link #reports()} until
 * {@link #acknowledge} confirms that a heartbeat carrying its final state succeeded; it is then
 * forgotten (once its log is fully shipped) and removed from workers.json. A start for a recently
 * forgotten id is ignored.
 */
public final class WorkerManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkerManager.class.getName());
    private static final int MAX_QUEUED_METRICS = 10_000;
    private static final int METRICS_PER_TICK = 100;
    private static final int REMEMBERED_FINISHED_IDS = 10_000;

    /**
     * @param stopGrace        time between SIGTERM and SIGKILL when stopping a process worker
     * @param averagingTimeout how long embedded replicas wait for each other (connect and per epoch)
     * @param shipInterval     how often metrics and logs are shipped
     */
    public record Settings(Duration stopGrace, Duration averagingTimeout, Duration shipInterval) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(1));
        }
    }

    private final Path workDir;
    private final Telemetry telemetry;
    private final Settings settings;
    private final WorkerStore store;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Entry> workers = new LinkedHashMap<>();
    private final LinkedHashSet<String> forgotten = new LinkedHashSet<>();
    private final ConcurrentLinkedDeque<Map.Entry<String, MetricsReport>> metrics = new ConcurrentLinkedDeque<>();
    private final Object shipLock = new Object();

    /** A worker (live, or only a record of one that ended while the agent was down) and its log tail. */
    private static final class Entry {
        final WorkerRecord record;
        final Worker worker; // null for a worker known only from workers.json
        final WorkerStatus lostStatus; // final status of such a worker
        final LogTail log;
        boolean acknowledged;

        Entry(WorkerRecord record, Worker worker, WorkerStatus lostStatus, LogTail log) {
            this.record = record;
            this.worker = worker;
            this.lostStatus = lostStatus;
            this.log = log;
        }

        WorkerStatus status() {
            return worker != null ? worker.status() : lostStatus;
        }
    }

    public WorkerManager(Path workDir, Telemetry telemetry, Settings settings) throws IOException {
        this.workDir = workDir.toAbsolutePath();
        this.telemetry = telemetry;
        this.settings = settings;
        Files.createDirectories(this.workDir.resolve("workers"));
        this.store = new WorkerStore(this.workDir);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "berth-worker-manager");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::shipSafely, settings.shipInterval().toMillis(),
                settings.shipInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private Path dirOf(String workerId) {
        return workDir.resolve("workers").resolve(WorkerEnvironment.directoryName(workerId));
    }

    /**
     * Loads workers.json from a previous agent run: process workers still running (same process, see
     * {@link ProcessIdentity}) are re-adopted and keep running; the others are reported with their final state
     * (from the exit-code file) or as FAILED "lost: ...". Embedded workers died with the previous JVM and are
     * reported lost. Then every pid file of a process that is not a running worker now (workers.json lost it, or
     * its worker had already ended or was being stopped) is cleaned up: a process still running is stopped with
     * its whole group, what a finished wrapper left in its group is killed.
     *
     * <p>Whether a re-adopted worker should still run is the control plane's call: the registration lists it
     * as running, and the heartbeat answer stops it when it is no longer assigned here.
     *
     * @return ids of the workers still running (for the registration)
     */
    public synchronized List<String> reconcile() {
        for (WorkerRecord r : store.load()) {
            if (workers.containsKey(r.workerId())) {
                continue;
            }
            Path dir = dirOf(r.workerId());
            LogTail tail = new LogTail(dir.resolve("output.log"));
            if (r.finalState() != null) {
                WorkerStatus s = new WorkerStatus(r.workerId(), WorkerStatus.State.valueOf(r.finalState()), r.exitCode(), r.message());
                workers.put(r.workerId(), new Entry(r, null, s, tail));
                continue;
            }
            if (r.assignment() != null && r.assignment().runtime() instanceof RuntimeSpec.Process) {
                // workers.json written by an agent before pid files existed holds only the pid and start instant
                ProcessIdentity identity = PidFile.read(dir).map(PidFile::process).orElseGet(() -> r.pid() == null ? null
                        : new ProcessIdentity(r.pid(), false, null, null, r.startMillis()));
                Optional<ProcessWorker> alive = identity == null ? Optional.empty()
                        : ProcessWorker.adopt(r.assignment(), identity, dir, settings.stopGrace(), scheduler);
                if (alive.isPresent()) {
                    LOG.log(System.Logger.Level.INFO, "re-adopted worker " + r.workerId() + " (pid " + identity.pid() + ")");
                    track(r, alive.get(), tail);
                    scheduleMaxRun(r.assignment(), r.startMillis() == null ? 0 : System.currentTimeMillis() - r.startMillis());
                    continue;
                }
                WorkerStatus s = ProcessWorker.outcomeOfVanished(r.workerId(), dir);
                LOG.log(System.Logger.Level.INFO, "worker " + r.workerId() + " ended while the agent was down: " + s);
                workers.put(r.workerId(), new Entry(r.finished(s), null, s, tail));
            } else {
                WorkerStatus s = WorkerStatus.failed(r.workerId(), null,
                        "lost: embedded worker died with the previous agent process");
                LOG.log(System.Logger.Level.INFO, "worker " + r.workerId() + " lost in the agent restart");
                workers.put(r.workerId(), new Entry(r.finished(s), null, s, tail));
            }
        }
        persist();
        sweepPidFiles();
        return runningWorkerIds();
    }

    /** See {@link #reconcile()}: pid files of processes that are not running workers of this agent. */
    private void sweepPidFiles() {
        Set<String> running = new HashSet<>(runningWorkerIds());
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(workDir.resolve("workers"))) {
            for (Path dir : dirs) {
                Optional<PidFile> pidFile = PidFile.read(dir);
                if (pidFile.isEmpty() || running.contains(pidFile.get().workerId())) {
                    continue;
                }
                PidFile f = pidFile.get();
                ProcessIdentity p = f.process();
                if (p.running()) {
                    LOG.log(System.Logger.Level.WARNING, "stopping process " + p.pid() + " of worker " + f.workerId()
                            + " (job " + f.jobId() + ", attempt " + f.attempt() + "): left by the previous agent run and not a worker here any more");
                    p.signal("TERM");
                    scheduler.schedule(() -> {
                        if (p.groupRunning()) {
                            p.signal("KILL");
                        }
                        PidFile.delete(dir);
                    }, settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    if (p.groupRunning()) {
                        p.signal("KILL"); // what an ended wrapper left behind in its group
                    }
                    PidFile.delete(dir);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot look for pid files in " + workDir.resolve("workers") + ": " + e);
        }
    }

    /**
     * Starts the assignment unless a worker with its id is known (idempotent). Never throws: an
     * assignment that cannot be started becomes a FAILED worker with the reason as message.
     *
     * @return true when the id was new (a worker started, or failed to start and has a state to
     *         report); false when it was known and nothing changed
     */
    public synchronized boolean start(Assignment a) {
        if (workers.containsKey(a.workerId()) || forgotten.contains(a.workerId())) {
            return false;
        }
        Path dir = dirOf(a.workerId());
        Worker w;
        try {
            w = launch(a, dir);
        } catch (IOException | RuntimeException e) {
            reject(a, e.getMessage());
            return true;
        }
        LOG.log(System.Logger.Level.INFO, "started worker " + a.workerId() + " (" + a.runtime().type() + ") of job "
                + a.jobName() + " attempt " + a.attempt() + ", rank " + a.replicaIndex() + "/" + a.worldSize()
                + ", GPUs " + a.gpuIndices());
        track(w.record(), w, new LogTail(w.logFile));
        scheduleMaxRun(a, 0);
        return true;
    }

    /**
     * The worker factory of the assignment's runtime, one per variant of the sealed {@link RuntimeSpec}. (Java 17 has
     * no pattern switch: WorkerFactoryTest checks that every permitted variant has its branch here.)
     */
    private Worker launch(Assignment a, Path dir) throws IOException {
        RuntimeSpec runtime = a.runtime();
        if (runtime instanceof RuntimeSpec.Process p) {
            return ProcessWorker.launch(a, p.process(), dir, workDir, settings.stopGrace(), scheduler);
        }
        if (runtime instanceof RuntimeSpec.Embedded e) {
            return EmbeddedWorker.launch(a, e.embedded(), dir, workDir, settings.averagingTimeout(),
                    (id, m) -> enqueueMetrics(id, m));
        }
        throw new IllegalArgumentException(runtime == null
                ? "the assignment has no runtime this agent knows (is the control plane newer than the agent?)"
                : "no worker factory for runtime " + runtime.type());
    }

    /** Stops the worker once it has run for maxRunSeconds, counting {@code elapsedMillis} already run. */
    private void scheduleMaxRun(Assignment a, long elapsedMillis) {
        if (a.maxRunSeconds() != null && a.maxRunSeconds() > 0) {
            long remaining = Math.max(0, a.maxRunSeconds() * 1000L - elapsedMillis);
            scheduler.schedule(() -> stop(a.workerId(), "exceeded maxRunSeconds=" + a.maxRunSeconds()),
                    remaining, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Records the assignment as a worker that FAILED with message "cannot start: {@code problem}"
     * without running anything (idempotent by workerId like {@link #start}).
     */
    public synchronized void reject(Assignment a, String problem) {
        if (workers.containsKey(a.workerId()) || forgotten.contains(a.workerId())) {
            return;
        }
        String message = "cannot start: " + problem;
        LOG.log(System.Logger.Level.WARNING, "worker " + a.workerId() + " " + message);
        WorkerStatus s = WorkerStatus.failed(a.workerId(), null, message);
        String kind = a.runtime() == null ? "unknown" : a.runtime().type();
        WorkerRecord r = new WorkerRecord(a, kind, null, null, null, null, null).finished(s);
        workers.put(a.workerId(), new Entry(r, null, s, new LogTail(dirOf(a.workerId()).resolve("output.log"))));
        persist();
    }

    private void track(WorkerRecord r, Worker w, LogTail tail) {
        workers.put(w.id(), new Entry(r, w, null, tail));
        persist();
        w.done().thenAccept(this::onFinished);
    }

    private synchronized void onFinished(WorkerStatus s) {
        LOG.log(System.Logger.Level.INFO, "worker " + s.workerId() + " finished: " + s.state()
                + (s.exitCode() == null ? "" : " exit code " + s.exitCode()) + (s.message() == null ? "" : " (" + s.message() + ")"));
        persist();
        PidFile.delete(dirOf(s.workerId())); // only once workers.json holds the final state
    }

    /** Stops a worker; unknown or finished ids are ignored. Returns immediately. */
    public synchronized void stop(String workerId, String reason) {
        Entry e = workers.get(workerId);
        if (e != null && e.worker != null && !e.worker.status().isFinal()) {
            LOG.log(System.Logger.Level.INFO, "stopping worker " + workerId + ": " + reason);
            e.worker.stop(reason);
        }
    }

    /** Running workers and finished ones whose final state is not yet acknowledged. */
    public synchronized List<WorkerReport> reports() {
        List<WorkerReport> out = new ArrayList<>();
        for (Entry e : workers.values()) {
            if (!e.acknowledged) {
                out.add(e.status().toReport());
            }
        }
        return out;
    }

    /** Confirms that {@code delivered} reached the control plane; their final states are not reported again. */
    public synchronized void acknowledge(Collection<WorkerReport> delivered) {
        for (WorkerReport r : delivered) {
            Entry e = workers.get(r.workerId());
            if (e != null && WorkerReport.isFinal(r) && e.status().isFinal()) {
                e.acknowledged = true;
            }
        }
        forgetDelivered();
    }

    private void forgetDelivered() {
        boolean changed = workers.values().removeIf(e -> {
            if (e.acknowledged && e.log.drained()) {
                forgotten.add(e.record.workerId());
                return true;
            }
            return false;
        });
        while (forgotten.size() > REMEMBERED_FINISHED_IDS) {
            forgotten.remove(forgotten.iterator().next());
        }
        if (changed) {
            persist();
        }
    }

    public synchronized List<String> runningWorkerIds() {
        return workers.values().stream().filter(e -> !e.status().isFinal()).map(e -> e.record.workerId()).toList();
    }

    /** CPU and memory reserved by the running workers (the sums of their assignments' requests). */
    public record Reservation(long cpuMillis, long memoryMib) {
    }

    public synchronized Reservation reserved() {
        long cpu = 0;
        long mem = 0;
        for (Entry e : workers.values()) {
            if (!e.status().isFinal()) {
                cpu += e.record.assignment().cpuMillis();
                mem += e.record.assignment().memoryMib();
            }
        }
        return new Reservation(cpu, mem);
    }

    /** GPU shares held by the running workers, milli-GPU (each assigned GPU counts its share, 1000 = a whole GPU). */
    public synchronized long reservedGpuMilli() {
        long milli = 0;
        for (Entry e : workers.values()) {
            if (!e.status().isFinal())
                milli += (long) e.record.assignment().gpuIndices().size() * e.record.assignment().milliGpu();
        }
        return milli;
    }

    /** The status of one worker, if known. */
    public synchronized Optional<WorkerStatus> status(String workerId) {
        Entry e = workers.get(workerId);
        return e == null ? Optional.empty() : Optional.of(e.status());
    }

    private void enqueueMetrics(String workerId, MetricsReport m) {
        metrics.addLast(Map.entry(workerId, m));
        while (metrics.size() > MAX_QUEUED_METRICS) {
            metrics.pollFirst();
        }
    }

    private void shipSafely() {
        try {
            ship();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "shipping telemetry failed, will retry: " + e.getMessage());
        }
    }

    /**
     * Ships queued metrics, then new log lines of every worker, each {@link MetricLine} among them also as a
     * metric (the control plane keeps one per worker and epoch, so a retried batch repeats nothing). Stops at the first failure and
     * retries on the next call. Runs on the manager's scheduler, and once more from {@link #flush}; the
     * HTTP calls are made without holding the manager's lock so heartbeats are never held up by them.
     */
    void ship() {
        synchronized (shipLock) {
            // at most a bounded number per tick, so a fast training loop (many tiny epochs) cannot starve the
            // logs; the rest waits for the next tick, and beyond MAX_QUEUED_METRICS the oldest are dropped
            int queued = Math.min(metrics.size(), METRICS_PER_TICK);
            Map.Entry<String, MetricsReport> m;
            for (int i = 0; i < queued && (m = metrics.peekFirst()) != null; i++) {
                telemetry.metrics(m.getKey(), m.getValue());
                metrics.pollFirst();
            }
            List<Entry> snapshot;
            synchronized (this) {
                snapshot = List.copyOf(workers.values());
            }
            for (Entry e : snapshot) {
                boolean finished = e.status().isFinal();
                try {
                    List<String> lines;
                    // a bounded number of batches per worker and tick, so one chatty worker cannot starve the others
                    for (int batch = 0; batch < 10 && !(lines = e.log.next(finished)).isEmpty(); batch++) {
                        for (String line : lines) {
                            MetricLine.parse(line).ifPresent(report -> telemetry.metrics(e.record.workerId(), report));
                        }
                        telemetry.logs(e.record.workerId(), lines);
                        e.log.commit();
                    }
                } catch (IOException ex) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot read log of " + e.record.workerId() + ": " + ex);
                }
            }
            synchronized (this) {
                forgetDelivered();
            }
        }
    }

    /** Ships pending metrics and logs now; false when the control plane could not take them all. */
    public boolean flush() {
        try {
            ship();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void persist() {
        List<WorkerRecord> records = new ArrayList<>();
        for (Entry e : workers.values()) {
            WorkerStatus s = e.status();
            records.add(s.isFinal() ? e.record.finished(s) : e.record);
        }
        try {
            store.save(records);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.ERROR, "cannot persist workers: " + ex.getMessage());
        }
    }

    /**
     * Stops every running worker (process workers: SIGTERM, SIGKILL after the grace period) and waits
     * for them up to {@code wait}; their final states stay in workers.json to be reported after the next
     * start, and in {@link #reports()} for a last heartbeat.
     */
    public void stopAll(String reason, Duration wait) {
        List<Worker> running;
        synchronized (this) {
            running = workers.values().stream().map(e -> e.worker)
                    .filter(w -> w != null && !w.status().isFinal()).toList();
            running.forEach(w -> w.stop(reason));
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Worker w : running) {
            try {
                w.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "worker " + w.id() + " did not stop within " + wait);
            }
        }
        synchronized (this) {
            persist();
        }
    }

    /**
     * Stops the shipping thread and waits (up to 10 s) for the task it was running, so that nothing writes to the work
     * directory after this returns; does not stop workers (see {@link #stopAll}).
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "telemetry shipping did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
