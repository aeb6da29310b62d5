package io.berth.core.protocol;

import java.util.List;

/**
 * Reply to a heartbeat.
 *
 * @param start   workers to start; resent until the agent reports them, so starting is idempotent by workerId
 * @param stop    workerIds to stop; stopping an unknown or finished worker is a no-op
 * @param suspend true: idle power management suspends this server; resent until a heartbeat says SUSPENDING, and
 *                then true once more in the answer to that heartbeat when the suspend still stands
 */
public record HeartbeatResponse(List<Assignment> start, List<String> stop, boolean suspend) {

    public HeartbeatResponse {
        start = Wire.orEmpty(start);
        stop = Wire.orEmpty(stop);
    }

    public HeartbeatResponse(List<Assignment> start, List<String> stop) {
        this(start, stop, false);
    }
}
