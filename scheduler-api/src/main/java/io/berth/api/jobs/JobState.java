package io.berth.api.jobs;

import java.util.Set;

/**
 * QUEUED -> SCHEDULED (placed, workers assigned) -> RUNNING (every worker started) -> SUCCEEDED | FAILED.
 * CANCELLED from any live state; PREEMPTED is passed through on the way back to QUEUED.
 * HELD: a QUEUED job kept out of scheduling by request until it is released (back to QUEUED).
 */
public enum JobState {
    QUEUED, HELD, SCHEDULED, RUNNING, SUCCEEDED, FAILED, CANCELLED, PREEMPTED;

    public static final Set<JobState> LIVE = Set.of(QUEUED, HELD, SCHEDULED, RUNNING);

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
