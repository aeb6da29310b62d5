package io.berth.core.protocol;

/**
 * Reply to a registration.
 *
 * @param serverName               the inventory name of this server (normally equal to the agent name)
 * @param heartbeatIntervalSeconds interval the control plane wants; null or &lt;= 0 = keep the agent's own
 * @param agentToken               when the agent registered with a shared enrollment token: a token bound to this
 *                                 server, to use for every later call; null = keep the configured token
 * @param idlePowerWatts           the inventory's idle power of this server, W; null or 0 = not known
 * @param peakPowerWatts           the inventory's peak power of this server, W; null or 0 = not known (then the
 *                                 agent has no power model unless its hardware file gives one)
 */
public record RegisterResponse(String serverName, Integer heartbeatIntervalSeconds, String agentToken,
                               Integer idlePowerWatts, Integer peakPowerWatts) {
    public RegisterResponse(String serverName, Integer heartbeatIntervalSeconds, String agentToken) {
        this(serverName, heartbeatIntervalSeconds, agentToken, null, null);
    }
}
