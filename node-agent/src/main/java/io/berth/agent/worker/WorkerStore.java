package io.berth.agent.worker;

import io.berth.agent.protocol.ControlPlaneClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/** The {@code workers.json} file: written whole and atomically renamed on every change. Thread-safe. */
final class WorkerStore {
    private final Path file;

    WorkerStore(Path workDir) {
        this.file = workDir.resolve("workers.json");
    }

    synchronized List<WorkerRecord> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Arrays.asList(ControlPlaneClient.JSON.readValue(Files.readString(file), WorkerRecord[].class));
        } catch (IOException | RuntimeException e) {
            // a corrupt file must not stop the agent; keep it for inspection and start empty
            try {
                Files.move(file, file.resolveSibling("workers.json.corrupt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // nothing more to do
            }
            return List.of();
        }
    }

    synchronized void save(Collection<WorkerRecord> records) {
        Path tmp = file.resolveSibling("workers.json.tmp");
        try {
            Files.writeString(tmp, ControlPlaneClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(records));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist " + file, e);
        }
    }
}
