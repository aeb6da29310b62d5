package io.berth.agent.protocol;

/**
 * State of one worker as reported in a heartbeat.
 *
 * @param state    "RUNNING", "SUCCEEDED" or "FAILED"
 * @param exitCode process exit code; null while running, for embedded workers and when unknown
 * @param message  human-readable reason for FAILED (a lost worker's message starts with "lost:"); may be null
 */
public record WorkerReport(String workerId, String state, Integer exitCode, String message) {

    public boolean isFinal() {
        return !"RUNNING".equals(state);
    }
}
