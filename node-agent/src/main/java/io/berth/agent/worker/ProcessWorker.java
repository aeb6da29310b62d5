package io.berth.agent.worker;

import io.berth.agent.protocol.Assignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker that is an OS process.
 *
 * <p>The program runs under a tiny {@code sh} wrapper that writes its exit code to
 * {@code <workerDir>/exit-code}: the agent's JVM is the parent and can read the exit code directly,
 * but after an agent restart the re-attached process is no longer its child and that file is the only
 * way to learn the code. stdout and stderr go (merged) straight to {@code <workerDir>/output.log}, not
 * through a pipe, so the process survives the agent dying.
 *
 * <p>Stopping sends SIGTERM to the program's process tree (descendants of the wrapper; the wrapper
 * then records the exit code and exits), and after the grace period destroys the whole tree forcibly.
 */
final class ProcessWorker extends Worker {
    /** $0 = exit-code file, $@ = the job's argv. */
    static final String WRAPPER = "\"$@\"; c=$?; echo \"$c\" > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"; exit \"$c\"";

    private final ProcessHandle handle;
    private final Path exitFile;
    private final Duration grace;
    private final ScheduledExecutorService scheduler;

    private ProcessWorker(Assignment a, Path dir, ProcessHandle handle, Duration grace, ScheduledExecutorService scheduler) {
        super(a, dir);
        this.handle = handle;
        this.exitFile = dir.resolve("exit-code");
        this.grace = grace;
        this.scheduler = scheduler;
    }

    /** Starts the assignment's process; the returned worker is already running. */
    static ProcessWorker launch(Assignment a, Path dir, Path workDir, Duration grace, ScheduledExecutorService scheduler)
            throws IOException {
        Assignment.ProcessSpec spec = a.runtime().process();
        if (spec == null || spec.argv().isEmpty()) {
            throw new IllegalArgumentException("runtime.process.argv must not be empty");
        }
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("exit-code"));
        List<String> command = new ArrayList<>(List.of("sh", "-c", WRAPPER, dir.resolve("exit-code").toString()));
        command.addAll(spec.argv());
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.putAll(spec.env());
        env.putAll(WorkerEnvironment.agentVariables(a, workDir));
        Path cwd = spec.workingDir() == null ? dir : dir.resolve(spec.workingDir());
        pb.directory(cwd.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("output.log").toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        ProcessWorker w = new ProcessWorker(a, dir, p.toHandle(), grace, scheduler);
        p.onExit().thenAccept(done -> w.finish(outcome(a.workerId(), done.exitValue())));
        return w;
    }

    /**
     * Re-attaches to a process started by a previous agent run, if it is still alive and is the same
     * process (same start instant, so a reused pid is not mistaken for it).
     */
    static Optional<ProcessWorker> reattach(WorkerRecord r, Path dir, Duration grace, ScheduledExecutorService scheduler) {
        if (r.pid() == null) {
            return Optional.empty();
        }
        Optional<ProcessHandle> h = ProcessHandle.of(r.pid())
                .filter(ProcessHandle::isAlive)
                .filter(ph -> r.startMillis() == null
                        || ph.info().startInstant().map(Instant::toEpochMilli).orElse(-1L).equals(r.startMillis()));
        if (h.isEmpty()) {
            return Optional.empty();
        }
        ProcessWorker w = new ProcessWorker(r.assignment(), dir, h.get(), grace, scheduler);
        h.get().onExit().thenRun(() -> w.finish(w.outcomeFromExitFile()));
        return Optional.of(w);
    }

    /** Final status of a process that ended while no agent was watching it, from its exit-code file. */
    static WorkerStatus outcomeOfVanished(WorkerRecord r, Path dir) {
        return readExitCode(dir.resolve("exit-code"))
                .map(code -> outcome(r.workerId(), code))
                .orElse(WorkerStatus.failed(r.workerId(), null, "lost: process is gone after an agent restart and its exit code is unknown"));
    }

    private WorkerStatus outcomeFromExitFile() {
        return readExitCode(exitFile).map(code -> outcome(id(), code))
                .orElse(WorkerStatus.failed(id(), null, "exited while re-attached; exit code unknown"));
    }

    private static Optional<Integer> readExitCode(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Integer.parseInt(Files.readString(file).strip())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static WorkerStatus outcome(String id, int exitCode) {
        return exitCode == 0
                ? new WorkerStatus(id, WorkerStatus.State.SUCCEEDED, 0, null)
                : WorkerStatus.failed(id, exitCode, "exited with code " + exitCode);
    }

    @Override
    void terminate() {
        List<ProcessHandle> tree = handle.descendants().toList();
        if (tree.isEmpty()) {
            handle.destroy();
        } else {
            tree.forEach(ProcessHandle::destroy);
        }
        Runnable kill = () -> {
            if (handle.isAlive() || handle.descendants().findAny().isPresent()) {
                handle.descendants().forEach(ProcessHandle::destroyForcibly);
                handle.destroyForcibly();
            }
        };
        try {
            scheduler.schedule(kill, grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            kill.run(); // the manager is closing: no grace period left
        }
    }

    @Override
    WorkerRecord record() {
        Long start = handle.info().startInstant().map(Instant::toEpochMilli).orElse(null);
        return new WorkerRecord(assignment, "process", handle.pid(), start, null, null, null);
    }

    long pid() {
        return handle.pid();
    }
}
