package io.berth.agent.protocol;

import java.util.List;

/**
 * Body of {@code POST /api/v1/agents/{name}/heartbeat}.
 *
 * @param usage             current usage of the server
 * @param acceleratorHealth one entry per accelerator, by local index
 * @param workers           every running worker plus every finished worker whose final state has not
 *                          yet been delivered by a successful heartbeat (each final state is therefore
 *                          delivered at least once and possibly more than once)
 */
public record HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers) {

    public HeartbeatRequest {
        acceleratorHealth = acceleratorHealth == null ? List.of() : List.copyOf(acceleratorHealth);
        workers = workers == null ? List.of() : List.copyOf(workers);
    }

    /**
     * @param cpuMillisUsed CPU in use, millicores
     * @param memoryMibUsed memory in use, MiB
     */
    public record Usage(long cpuMillisUsed, long memoryMibUsed) {
    }

    /** @param health "HEALTHY" or "UNHEALTHY" */
    public record AcceleratorHealth(int index, String health) {
    }
}
