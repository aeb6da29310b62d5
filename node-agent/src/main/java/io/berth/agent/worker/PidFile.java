package io.berth.agent.worker;

import io.berth.agent.protocol.ControlPlaneClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code <workerDir>/pid.json}: which process runs a process worker, written as soon as it is started and deleted
 * once the worker's final state is in workers.json. A restarted agent finds the processes of its previous life
 * from these files (even those workers.json does not list any more) and re-adopts or kills them.
 *
 * @param workerId the worker
 * @param jobId    its job
 * @param attempt  its job attempt
 * @param process  the wrapper process and the group it leads
 */
record PidFile(String workerId, String jobId, int attempt, ProcessIdentity process) {
    static final String NAME = "pid.json";

    /** Writes the file atomically (a crash leaves the old file or the new one, never half of one). */
    void write(Path workerDir) throws IOException {
        Path tmp = workerDir.resolve(NAME + ".tmp");
        Files.writeString(tmp, ControlPlaneClient.JSON.writeValueAsString(this));
        Files.move(tmp, workerDir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The worker directory's pid file; empty when there is none or it cannot be read. */
    static Optional<PidFile> read(Path workerDir) {
        Path file = workerDir.resolve(NAME);
        try {
            return Files.exists(file)
                    ? Optional.of(ControlPlaneClient.JSON.readValue(Files.readString(file), PidFile.class))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static void delete(Path workerDir) {
        try {
            Files.deleteIfExists(workerDir.resolve(NAME));
        } catch (IOException e) {
            // a stale pid file is harmless: its process identity no longer matches anything running
        }
    }
}
