package io.berth.core.inventory;

/**
 * Lifecycle state of a server. Only READY servers receive new work. An operator takes a server out of service with
 * cordon (CORDONED: no new work, running work continues, for as long as the operator wants) or drain (DRAINING until
 * no worker is active on it, then DRAINED, as Slurm's DRAIN and DRAINED: safe to power off or service).
 */
public enum ServerState {
    /** Healthy and schedulable. */
    READY,
    /** The agent is silent or reports a fault; running work is requeued. */
    NOT_READY,
    /** Cordoned: no new work is placed; running work continues and the server stays cordoned. */
    CORDONED,
    /** Being drained: no new work is placed; becomes DRAINED once no worker is active on the server. */
    DRAINING,
    /** Drained: no new work and no worker active; an operator may service the server, then set it READY again. */
    DRAINED,
    /** Powered off or removed from service. */
    DOWN,
    /** Idle power management sent the suspend action; becomes POWERED_OFF once the server is off. */
    POWERING_OFF,
    /** Suspended or powered off by idle power management; resumed when queued work needs it. */
    POWERED_OFF,
    /** Idle power management sent the resume action; READY again when its agent reports. */
    RESUMING;

    public boolean schedulable() {
        return this == READY;
    }
}
