package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;
import io.berth.core.spec.ProcessSpec;
import io.berth.core.spec.RuntimeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker that is an OS process.
 *
 * <p>The program runs under a tiny {@code sh} wrapper that writes its exit code to
 * {@code <workerDir>/exit-code}: the agent's JVM is the parent and can read the exit code directly,
 * but after an agent restart the re-adopted process is no longer its child and that file is the only
 * way to learn the code. stdout and stderr go (merged) straight to {@code <workerDir>/output.log}, not
 * through a pipe, so the process survives the agent dying. The wrapper traps TERM, INT and HUP with a
 * no-op so that it outlives the program it waits for and still records its code; the program itself
 * gets the default dispositions back when it is executed.
 *
 * <p>The wrapper is started under {@code setsid} (util-linux) when it is on the PATH, so it leads a
 * process group and session of its own holding everything the job starts (torchrun's workers, a
 * shell's background jobs), also processes whose parent has exited. Java's ProcessBuilder cannot call
 * setpgid/setsid itself. A fresh child of the JVM is never a group leader, so setsid does not fork and
 * the pid Java sees is the group's id. Without setsid the worker falls back to signalling the wrapper
 * and its current descendants.
 *
 * <p>Stopping sends SIGTERM to the group and, after the grace period, SIGKILL to whatever is left of
 * it. When the wrapper ends on its own, processes it left behind in the group are killed at once: the
 * worker is over and the control plane will hand its resources to other work.
 *
 * <p>{@code <workerDir>/pid.json} (see {@link PidFile}) names the process while it runs.
 */
final class ProcessWorker extends Worker {
    /** $0 = exit-code file, $@ = the job's argv. */
    static final String WRAPPER = "trap : TERM INT HUP; \"$@\"; c=$?; echo \"$c\" > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"; exit \"$c\"";
    /** How often a re-adopted process (not a child of this JVM, so no exit notification) is checked. */
    static final Duration ADOPTED_POLL = Duration.ofMillis(250);

    private static final Optional<Path> SETSID = onPath("setsid");

    private final ProcessIdentity process;
    private final Path exitFile;
    private final Duration grace;
    private final ScheduledExecutorService scheduler;

    private ProcessWorker(Assignment a, Path dir, ProcessIdentity process, Duration grace, ScheduledExecutorService scheduler) {
        super(a, dir);
        this.process = process;
        this.exitFile = dir.resolve("exit-code");
        this.grace = grace;
        this.scheduler = scheduler;
    }

    /** Starts the assignment's process and writes its pid file; the returned worker is already running. */
    static ProcessWorker launch(Assignment a, ProcessSpec spec, Path dir, Path workDir, Duration grace,
                                ScheduledExecutorService scheduler) throws IOException {
        if (spec == null || spec.argv() == null || spec.argv().isEmpty()) {
            throw new IllegalArgumentException("runtime.process.argv must not be empty");
        }
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("exit-code"));
        Path checkpoints = WorkerEnvironment.checkpointDir(a, workDir);
        if (checkpoints != null) {
            Files.createDirectories(checkpoints); // BERTH_CHECKPOINT_DIR names a directory the program can write to
        }
        List<String> command = new ArrayList<>();
        SETSID.ifPresent(p -> command.add(p.toString()));
        command.addAll(List.of("sh", "-c", WRAPPER, dir.resolve("exit-code").toString()));
        command.addAll(spec.argv());
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.putAll(spec.envOrEmpty());
        env.putAll(WorkerEnvironment.agentVariables(a, workDir));
        Path cwd = spec.workingDir() == null ? dir : dir.resolve(spec.workingDir());
        pb.directory(cwd.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("output.log").toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        ProcessIdentity identity = ProcessIdentity.of(p.toHandle(), SETSID.isPresent());
        ProcessWorker w = new ProcessWorker(a, dir, identity, grace, scheduler);
        try {
            new PidFile(a.workerId(), a.jobId(), a.attempt(), identity).write(dir);
        } catch (IOException e) {
            // without it a crash of the agent would leave the process unknown: do not run it at all
            identity.signal("KILL");
            throw new IOException("cannot write " + dir.resolve(PidFile.NAME) + ": " + e.getMessage(), e);
        }
        // not on the process reaper thread that completes onExit, nor on the common pool (one thread on small
        // machines): killing leftovers starts a process and waits for it
        p.onExit().thenAcceptAsync(done -> {
            w.killLeftovers();
            w.finish(outcome(a.workerId(), done.exitValue()));
        }, scheduler);
        return w;
    }

    /**
     * Re-adopts a process started by a previous agent run if it still runs and is the same process (see
     * {@link ProcessIdentity}); it is then polled until it ends and its exit code read from the exit-code file.
     */
    static Optional<ProcessWorker> adopt(Assignment a, ProcessIdentity process, Path dir, Duration grace,
                                         ScheduledExecutorService scheduler) {
        if (!process.running()) {
            return Optional.empty();
        }
        ProcessWorker w = new ProcessWorker(a, dir, process, grace, scheduler);
        w.pollAdopted();
        return Optional.of(w);
    }

    private void pollAdopted() {
        if (process.running()) {
            try {
                scheduler.schedule(this::pollAdopted, ADOPTED_POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the manager is closed: nobody is watching any more, as after a crash
            }
            return;
        }
        killLeftovers();
        finish(readExitCode(exitFile).map(code -> outcome(id(), code))
                .orElse(WorkerStatus.failed(id(), null, "exited while re-adopted; exit code unknown")));
    }

    /** Final status of a process that ended while no agent was watching it, from its exit-code file. */
    static WorkerStatus outcomeOfVanished(String workerId, Path dir) {
        return readExitCode(dir.resolve("exit-code"))
                .map(code -> outcome(workerId, code))
                .orElse(WorkerStatus.failed(workerId, null, "lost: process is gone after an agent restart and its exit code is unknown"));
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

    /** The wrapper has ended: kills what the job left running in its group. */
    private void killLeftovers() {
        if (process.ownGroup() && process.groupRunning()) {
            process.signal("KILL");
        }
    }

    @Override
    void terminate() {
        process.signal("TERM");
        Runnable kill = () -> {
            if (process.groupRunning()) {
                process.signal("KILL");
            }
        };
        try {
            scheduler.schedule(kill, grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            kill.run(); // the manager is closing: no grace period left
        }
    }

    @Override
    WorkerRecord record() {
        return new WorkerRecord(assignment, RuntimeSpec.PROCESS, process.pid(), process.startMillis(), null, null, null);
    }

    ProcessIdentity process() {
        return process;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(d, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
