package io.berth.agent.protocol;

/**
 * Reply to a registration.
 *
 * @param serverName               the inventory name of this server (normally equal to the agent name)
 * @param heartbeatIntervalSeconds interval the control plane wants; null or &lt;= 0 = keep the agent's own
 * @param agentToken               when the agent registered with a shared enrollment token: a token bound to this
 *                                 server, to use for every later call; null = keep the configured token
 */
public record RegisterResponse(String serverName, Integer heartbeatIntervalSeconds, String agentToken) {
}
