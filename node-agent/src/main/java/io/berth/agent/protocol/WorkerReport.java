package io.berth.agent.protocol;

/**
 * State of one worker as reported in a heartbeat.
 *
 * @param state    "RUNNING", "SUCCEEDED" or "FAILED"
 * @param exitCode process exit code; null while running, for embedded workers and when unknown
 * @param message  human-readable reason for FAILED (a lost worker's message starts with "lost:"); may be null
 */
public record WorkerReport(String workerId, String state, Integer exitCode, String message) {

    /** True for SUCCEEDED and FAILED. (Static so that it is not serialised as a JSON property.) */
    public static boolean isFinal(WorkerReport r) {
        return !"RUNNING".equals(r.state());
    }
}
