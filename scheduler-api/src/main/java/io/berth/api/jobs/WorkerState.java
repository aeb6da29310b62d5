package io.berth.api.jobs;

import java.util.Set;

/**
 * ASSIGNED (sent to the agent) -> RUNNING -> SUCCEEDED | FAILED; STOPPING while the agent is told to stop it, then
 * STOPPED; LOST when its agent went silent. A worker holds its resources until it reaches a terminal state.
 */
public enum WorkerState {
    ASSIGNED, RUNNING, STOPPING, SUCCEEDED, FAILED, LOST, STOPPED;

    public static final Set<WorkerState> ACTIVE = Set.of(ASSIGNED, RUNNING, STOPPING);

    public boolean terminal() {
        return !ACTIVE.contains(this);
    }
}
