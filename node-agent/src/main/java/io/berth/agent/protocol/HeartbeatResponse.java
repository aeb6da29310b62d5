package io.berth.agent.protocol;

import java.util.List;

/**
 * Reply to a heartbeat.
 *
 * @param start workers to start; resent until the agent reports them, so starting is idempotent by workerId
 * @param stop  workerIds to stop; stopping an unknown or finished worker is a no-op
 */
public record HeartbeatResponse(List<Assignment> start, List<String> stop) {

    public HeartbeatResponse {
        start = start == null ? List.of() : List.copyOf(start);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
