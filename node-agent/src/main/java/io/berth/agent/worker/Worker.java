package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A running unit of work. Completes {@link #done()} exactly once with its final status. Thread-safe.
 */
abstract class Worker {
    final Assignment assignment;
    final Path dir;
    final Path logFile;
    private final CompletableFuture<WorkerStatus> done = new CompletableFuture<>();
    private volatile String stopReason;

    Worker(Assignment assignment, Path dir) {
        this.assignment = assignment;
        this.dir = dir;
        this.logFile = dir.resolve("output.log");
    }

    String id() {
        return assignment.workerId();
    }

    CompletableFuture<WorkerStatus> done() {
        return done;
    }

    WorkerStatus status() {
        WorkerStatus s = done.getNow(null);
        return s != null ? s : WorkerStatus.running(id());
    }

    /** Requests termination; idempotent; the final status is FAILED with message "stopped: reason". */
    final void stop(String reason) {
        if (done.isDone()) {
            return;
        }
        if (stopReason == null) {
            stopReason = reason;
        }
        terminate();
    }

    /** Non-null once a stop was requested. */
    String stopReason() {
        return stopReason;
    }

    abstract void terminate();

    abstract WorkerRecord record();

    /** Completes with the final status; a requested stop turns any outcome into FAILED "stopped: ...". */
    final void finish(WorkerStatus outcome) {
        String reason = stopReason;
        done.complete(reason == null ? outcome : WorkerStatus.failed(id(), outcome.exitCode(), "stopped: " + reason));
    }
}
