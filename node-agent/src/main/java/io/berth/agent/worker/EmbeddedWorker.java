package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;
import io.berth.core.spec.RuntimeSpec;
import io.berth.core.protocol.MetricsReport;
import io.berth.agent.training.EpochMetrics;
import io.berth.agent.training.ModelAveraging;
import io.berth.agent.training.TrainingRun;
import io.berth.agent.training.TrainingConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.BiConsumer;

/**
 * A worker that trains inside the agent's JVM ({@link TrainingRun}) on its own thread, with one
 * device thread per assigned GPU (one for CPU-only). Log lines go to {@code <workerDir>/output.log}
 * like a process's output; metrics go to {@code metricsOut}. Dies with the JVM: after an agent
 * restart it is reported lost and resumes from its checkpoint when the control plane requeues it.
 */
final class EmbeddedWorker extends Worker {
    private static final System.Logger LOG = System.getLogger(EmbeddedWorker.class.getName());

    private volatile TrainingRun run;
    private volatile ModelAveraging averaging;
    private final Thread thread;

    private EmbeddedWorker(Assignment a, io.berth.core.spec.TrainingSpec training, Path dir, Path workDir,
                           Duration averagingTimeout, BiConsumer<String, MetricsReport> metricsOut) {
        super(a, dir);
        this.thread = new Thread(() -> train(training, workDir, averagingTimeout, metricsOut), "worker-" + a.workerId());
        thread.setDaemon(true);
    }

    /** Starts training the job's training spec (as submitted: the defaults are filled in here). */
    static EmbeddedWorker launch(Assignment a, io.berth.core.spec.TrainingSpec training, Path dir, Path workDir,
                                 Duration averagingTimeout, BiConsumer<String, MetricsReport> metricsOut)
            throws IOException {
        Files.createDirectories(dir);
        EmbeddedWorker w = new EmbeddedWorker(a, training, dir, workDir, averagingTimeout, metricsOut);
        w.thread.start();
        return w;
    }

    private void train(io.berth.core.spec.TrainingSpec training, Path workDir, Duration averagingTimeout,
                       BiConsumer<String, MetricsReport> metricsOut) {
        try (Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            try {
                TrainingConfig spec = TrainingConfig.of(training);
                int world = assignment.worldSize();
                int rank = assignment.replicaIndex();
                if (world > 1 && (assignment.masterAddr() == null || assignment.masterPort() == null)) {
                    throw new IllegalArgumentException("multi-replica assignment without masterAddr/masterPort");
                }
                averaging = world > 1
                        ? ModelAveraging.tcp(rank, world, assignment.masterAddr(), assignment.masterPort(), averagingTimeout)
                        : ModelAveraging.none();
                Path ckptDir = WorkerEnvironment.checkpointDir(assignment, workDir);
                Path ckpt = ckptDir == null ? null : ckptDir.resolve("replica-" + rank + ".ckpt");
                int threads = Math.max(1, assignment.gpuIndices().size());
                run = new TrainingRun(spec,
                        new TrainingRun.Options(rank, world, threads, ckpt, workDir, averaging, "worker-" + id()),
                        new TrainingRun.Listener() {
                            @Override
                            public void onEpoch(EpochMetrics m) {
                                metricsOut.accept(id(), new MetricsReport(m.epoch(), m.loss(), m.accuracy(), m.samplesPerSecond()));
                            }

                            @Override
                            public void onLog(String line) {
                                write(log, line);
                            }
                        });
                if (stopReason() != null) {
                    throw new CancellationException();
                }
                run.run();
                write(log, "training finished");
                finish(new WorkerStatus(id(), WorkerStatus.State.SUCCEEDED, null, null));
            } catch (CancellationException e) {
                write(log, "training stopped");
                finish(WorkerStatus.failed(id(), null, "stopped"));
            } catch (Exception e) {
                String message = e instanceof io.berth.agent.json.InvalidSpecException
                        ? "invalid training spec: " + e.getMessage() : e.toString();
                write(log, "training failed: " + message);
                finish(WorkerStatus.failed(id(), null, message));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "embedded worker " + id() + " failed", e);
            finish(WorkerStatus.failed(id(), null, e.toString()));
        } catch (Error e) {
            finish(WorkerStatus.failed(id(), null, e.toString()));
            throw e;
        }
    }

    private static void write(Writer log, String line) {
        try {
            log.write(line);
            log.write('\n');
            log.flush();
        } catch (IOException e) {
            // the log is best effort; training goes on
        }
    }

    @Override
    void terminate() {
        TrainingRun r = run;
        if (r != null) {
            r.cancel();
        }
        ModelAveraging a = averaging;
        if (a != null) {
            a.close();
        }
    }

    @Override
    WorkerRecord record() {
        return new WorkerRecord(assignment, RuntimeSpec.EMBEDDED, null, null, null, null, null);
    }
}
