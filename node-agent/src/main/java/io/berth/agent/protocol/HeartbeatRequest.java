package io.berth.agent.protocol;

import io.berth.agent.health.AcceleratorError;
import java.util.List;

/**
 * Body of {@code POST /api/v1/agents/{name}/heartbeat}.
 *
 * @param usage             current usage of the server
 * @param acceleratorHealth one entry per accelerator, by local index
 * @param workers           every running worker plus every finished worker whose final state has not
 *                          yet been delivered by a successful heartbeat (each final state is therefore
 *                          delivered at least once and possibly more than once)
 * @param errors            accelerator errors not yet delivered by a successful heartbeat (at least once, like
 *                          final worker states; the control plane acts on each key once)
 * @param power             "SUSPENDING": sent once after a suspend directive, just before the suspend command runs;
 *                          null otherwise
 * @param powerError        why the last suspend directive could not be carried out (no suspend command, or it
 *                          failed); null otherwise
 */
public record HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers,
                               List<AcceleratorError> errors, String power, String powerError) {

    public HeartbeatRequest {
        acceleratorHealth = acceleratorHealth == null ? List.of() : List.copyOf(acceleratorHealth);
        workers = workers == null ? List.of() : List.copyOf(workers);
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers) {
        this(usage, acceleratorHealth, workers, List.of());
    }

    public HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers,
                            List<AcceleratorError> errors) {
        this(usage, acceleratorHealth, workers, errors, null, null);
    }

    /**
     * @param cpuMillisUsed CPU in use, millicores
     * @param memoryMibUsed memory in use, MiB
     */
    public record Usage(long cpuMillisUsed, long memoryMibUsed) {
    }

    /**
     * @param health "HEALTHY" or "UNHEALTHY", as the agent's own probe sees the device now
     * @param reason why it is not healthy; null when healthy
     */
    public record AcceleratorHealth(int index, String health, String reason) {
        public AcceleratorHealth(int index, String health) {
            this(index, health, null);
        }
    }
}
