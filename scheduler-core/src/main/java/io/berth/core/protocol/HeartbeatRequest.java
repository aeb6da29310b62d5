package io.berth.core.protocol;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * Body of {@code POST /api/v1/agents/{name}/heartbeat}.
 *
 * @param usage             current usage of the server
 * @param acceleratorHealth one entry per accelerator, by local index
 * @param workers           every running worker plus every finished worker whose final state has not yet been
 *                          delivered by a successful heartbeat (each final state is therefore delivered at least once
 *                          and possibly more than once)
 * @param errors            accelerator errors not yet delivered by a successful heartbeat (at least once, like final
 *                          worker states; the control plane acts on each key once)
 * @param power             the server's power draw now; null = no figure (nothing measured and no idle/peak model), as
 *                          from agents older than the field. Left out of the JSON when null, so an agent without a
 *                          figure still speaks to a control plane older than the field (which refuses unknown fields)
 * @param powerState        "SUSPENDING": sent once after a suspend directive, just before the suspend command runs;
 *                          null (and left out) otherwise
 * @param powerError        why the last suspend directive could not be carried out (no suspend command, or it
 *                          failed); null (and left out) otherwise
 */
public record HeartbeatRequest(@Valid Usage usage,
                               @Size(max = 64) List<@NotNull @Valid AcceleratorHealth> acceleratorHealth,
                               @Size(max = 10_000) List<@NotNull @Valid WorkerReport> workers,
                               @Size(max = 256) List<@NotNull @Valid AcceleratorError> errors,
                               @Valid Power power,
                               @Pattern(regexp = "SUSPENDING") String powerState,
                               @Size(max = 4096) String powerError) {

    /** The highest figure accepted for a whole server, W: far above any server, low enough to catch unit mistakes. */
    public static final int MAX_SERVER_WATTS = 100_000;

    public HeartbeatRequest {
        acceleratorHealth = Wire.orEmpty(acceleratorHealth);
        workers = Wire.orEmpty(workers);
        errors = Wire.orEmpty(errors);
    }

    public HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers) {
        this(usage, acceleratorHealth, workers, List.of());
    }

    public HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers,
                            List<AcceleratorError> errors) {
        this(usage, acceleratorHealth, workers, errors, null, null, null);
    }

    /**
     * A server's power draw (the node agent's PowerMeter). Cross-field rules, checked by the control plane:
     * "nvidia-smi" is in the source iff gpuWatts is not empty, "rapl" iff cpuWatts is given, and gpuWatts names each
     * accelerator of the server at most once.
     *
     * @param serverWatts the whole server, W, 0..{@value #MAX_SERVER_WATTS}
     * @param source      the parts measured, "nvidia-smi", "rapl" or "nvidia-smi+rapl"; "model" when none was
     * @param gpuWatts    each GPU nvidia-smi measured, by index; empty when none (null reads as empty)
     * @param cpuWatts    the CPU packages (RAPL), W, 0..10,000; null = not measured
     */
    public record Power(@NotNull @Min(0) @Max(MAX_SERVER_WATTS) Integer serverWatts,
                        @NotNull @Pattern(regexp = "nvidia-smi|rapl|nvidia-smi\\+rapl|model") String source,
                        @Size(max = 64) List<@NotNull @Valid GpuWatts> gpuWatts,
                        @Min(0) @Max(10_000) Integer cpuWatts) {
        public Power {
            gpuWatts = Wire.orEmpty(gpuWatts);
        }
    }

    /** @param watts the GPU's draw, W, 0..5,000 */
    public record GpuWatts(@Min(0) @Max(1023) int index, @NotNull @Min(0) @Max(5_000) Integer watts) {
    }

    /**
     * @param cpuMillisUsed CPU in use, millicores
     * @param memoryMibUsed memory in use, MiB
     */
    public record Usage(@PositiveOrZero long cpuMillisUsed, @PositiveOrZero long memoryMibUsed) {
    }

    /**
     * @param health "HEALTHY", "DEGRADED" or "UNHEALTHY", as the agent's own probe sees the device now
     * @param reason why it is not healthy; null when healthy
     */
    public record AcceleratorHealth(@Min(0) int index,
                                    @NotNull @Pattern(regexp = "HEALTHY|DEGRADED|UNHEALTHY") String health,
                                    @Size(max = 1024) String reason) {
        public AcceleratorHealth(int index, String health) {
            this(index, health, null);
        }
    }
}
