package io.berth.api.inventory;

import io.berth.core.inventory.ServerState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored server as the API returns it. {@code version} increases on every change. {@code describedBy} tells who
 * described the hardware: OPERATOR (API, import, node sync; an agent must match it to adopt the server) or AGENT.
 *
 * @param stateReason              why the server was cordoned, drained or set to a state by an operator or a health
 *                                 policy; null when none was given, and once the server is READY again
 * @param agentConnected           whether a node agent heartbeated within the heartbeat timeout. A READY server
 *                                 without one receives no work (unless {@code berth.scheduler.require-agent=false})
 * @param agentHeartbeatAgeSeconds seconds since the agent's last heartbeat (whole seconds, at least 0); null when no
 *                                 agent ever registered for this server
 */
public record ServerView(String name, String rack, long cpuMillis, long memoryMib, long networkMbps,
                         Map<String, String> labels, ServerState state, String stateReason, boolean agentConnected,
                         Long agentHeartbeatAgeSeconds, int idlePowerWatts, int peakPowerWatts,
                         List<AcceleratorSpec> accelerators, List<LocalDeviceSpec> localDevices,
                         HardwareSource describedBy, long version, Instant createdAt, Instant updatedAt) {

    public ServerSpec toSpec() {
        return new ServerSpec(name, rack, cpuMillis, memoryMib, networkMbps, labels, state, idlePowerWatts,
                peakPowerWatts, accelerators, localDevices);
    }
}
