package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;

/**
 * What the agent persists about one worker in {@code <workDir>/workers.json}, so that after its own
 * restart it can re-attach to processes still running or report the others.
 *
 * @param kind             "process" or "embedded"
 * @param pid              process id of the launched wrapper; null for embedded workers
 * @param startMillis      start instant of that process (epoch millis) to detect pid reuse; null when unknown
 * @param finalState       null while running, else the final state not yet acknowledged by the control plane
 */
record WorkerRecord(Assignment assignment, String kind, Long pid, Long startMillis,
                    String finalState, Integer exitCode, String message) {

    String workerId() {
        return assignment.workerId();
    }

    WorkerRecord finished(WorkerStatus s) {
        return new WorkerRecord(assignment, kind, pid, startMillis, s.state().name(), s.exitCode(), s.message());
    }
}
