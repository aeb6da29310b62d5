package io.berth.api.jobs;

import java.util.Set;

/**
 * Published inside the transaction that gives the agents of {@code servers} something new to do: workers placed
 * there (to start) or told to stop. Listeners that act on it should do so after commit; the agents feature uses it to
 * answer held heartbeats at once (see AgentController).
 *
 * @param servers names of the servers whose agents have new work; never empty
 */
public record WorkersChanged(Set<String> servers) {
    public WorkersChanged {
        servers = Set.copyOf(servers);
    }
}
