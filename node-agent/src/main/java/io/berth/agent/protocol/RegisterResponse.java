package io.berth.agent.protocol;

/**
 * Reply to a registration.
 *
 * @param serverName               the inventory name of this server (normally equal to the agent name)
 * @param heartbeatIntervalSeconds interval the control plane wants; null or &lt;= 0 = keep the agent's own
 */
public record RegisterResponse(String serverName, Integer heartbeatIntervalSeconds) {
}
