package io.berth.core.protocol;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * State of one worker as reported in a heartbeat.
 *
 * @param exitCode process exit code; null while running, for embedded workers and when unknown
 * @param message  human-readable reason for FAILED (a lost worker's message starts with "lost:"); may be null
 */
public record WorkerReport(@NotNull @Pattern(regexp = Wire.UUID) String workerId,
                           @NotNull ReportedState state,
                           Integer exitCode,
                           @Size(max = 4096) String message) {

    /** True for SUCCEEDED and FAILED. (Static so that it is not serialised as a JSON property.) */
    public static boolean isFinal(WorkerReport r) {
        return r.state().isFinal();
    }
}
