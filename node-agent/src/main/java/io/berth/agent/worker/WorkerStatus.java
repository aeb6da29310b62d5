package io.berth.agent.worker;

import io.berth.core.protocol.ReportedState;
import io.berth.core.protocol.WorkerReport;

/**
 * Snapshot of a worker's state.
 *
 * @param exitCode process exit code once finished; null while running, for embedded workers and when unknown
 * @param message  why it failed (or "lost: ..." after an agent restart); null when not relevant
 */
public record WorkerStatus(String workerId, State state, Integer exitCode, String message) {

    public enum State { RUNNING, SUCCEEDED, FAILED }

    static WorkerStatus running(String id) {
        return new WorkerStatus(id, State.RUNNING, null, null);
    }

    static WorkerStatus failed(String id, Integer exitCode, String message) {
        return new WorkerStatus(id, State.FAILED, exitCode, message);
    }

    public boolean isFinal() {
        return state != State.RUNNING;
    }

    public WorkerReport toReport() {
        return new WorkerReport(workerId, ReportedState.valueOf(state.name()), exitCode, message);
    }
}
