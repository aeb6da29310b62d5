package io.berth.api.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A second control plane on the data directory of a live one stops at start-up with one clear message naming the
 * live one's pid, and the live one is not disturbed. (An orphaned PostgreSQL of a killed control plane is stopped
 * and the start goes on: see {@link ControlPlaneRestartTest}.)
 */
class DataDirectoryInUseTest {
    @Test
    void aSecondControlPlaneOnALiveDirectoryStopsWithTheHoldersPid(@TempDir Path dir) throws Exception {
        try (ControlPlaneProcess live = new ControlPlaneProcess(dir, ControlPlaneProcess.freePort(), List.of());
             ControlPlaneProcess second = new ControlPlaneProcess(dir, ControlPlaneProcess.freePort(), List.of())) {
            live.start();
            assertThatThrownBy(second::start).hasMessageContaining("control plane exited with 1")
                    .hasMessageContaining("the embedded PostgreSQL data directory " + dir.resolve("pgdata")
                            + " is in use by another running control plane (pid " + live.pid() + ")")
                    .hasMessageNotContaining("Exception"); // the failure analysis, not a stack trace
            live.stop();
            live.start(); // the live one's data and lock were left alone
        }
    }
}
