package io.berth.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param power             the server's power draw now (see {@code io.berth.agent.power.PowerMeter}); null = no
 *                          figure (nothing measured and no idle/peak model), as from agents older than the field.
 *                          Left out of the JSON when null, so an agent without a figure still speaks to a control
 *                          plane older than the field (which refuses unknown fields)
 * @param powerState        "SUSPENDING": sent once after a suspend directive, just before the suspend command runs;
 *                          null (and left out) otherwise
 * @param powerError        why the last suspend directive could not be carried out (no suspend command, or it
 *                          failed); null (and left out) otherwise
 */
public record HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers,
                               List<AcceleratorError> errors, @JsonInclude(JsonInclude.Include.NON_NULL) Power power,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String powerState,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String powerError) {

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
        this(usage, acceleratorHealth, workers, errors, null, null, null);
    }

    /**
     * @param serverWatts the whole server, W (the combination rule of PowerMeter)
     * @param source      the parts measured, "nvidia-smi", "rapl" or "nvidia-smi+rapl"; "model" when none was
     * @param gpuWatts    each GPU nvidia-smi measured, by index; empty when none
     * @param cpuWatts    the CPU packages (RAPL), W; null = not measured
     */
    public record Power(int serverWatts, String source, List<GpuWatts> gpuWatts, Integer cpuWatts) {
        public Power {
            gpuWatts = gpuWatts == null ? List.of() : List.copyOf(gpuWatts);
        }
    }

    /** @param watts the GPU's draw, W */
    public record GpuWatts(int index, int watts) {
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
