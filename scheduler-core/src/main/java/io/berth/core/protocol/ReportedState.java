package io.berth.core.protocol;

/** A worker's state as its agent reports it; written by name. */
public enum ReportedState {
    RUNNING, SUCCEEDED, FAILED;

    /** True for SUCCEEDED and FAILED. */
    public boolean isFinal() {
        return this != RUNNING;
    }
}
