package io.berth.core.inventory;

/** Lifecycle state of a server. Only READY servers receive new work. */
public enum ServerState {
    /** Healthy and schedulable. */
    READY,
    /** The agent is silent or reports a fault; running work is requeued. */
    NOT_READY,
    /** Cordoned: running work continues, no new work is placed. */
    DRAINING,
    /** Powered off or removed from service. */
    DOWN;

    public boolean schedulable() {
        return this == READY;
    }
}
