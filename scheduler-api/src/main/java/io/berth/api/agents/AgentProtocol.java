package io.berth.api.agents;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

/**
 * The agent protocol as the control plane reads and writes it (JSON over HTTP). Every message from an agent is
 * validated like any other outside input; the node-agent module has the matching records.
 */
public final class AgentProtocol {
    private AgentProtocol() {
    }

    static final String NAME = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$";
    static final String UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    public record RegisterRequest(@NotBlank @Pattern(regexp = NAME) String name,
                                  @Pattern(regexp = NAME) String rack,
                                  @Size(max = 253) String address,
                                  @PositiveOrZero long cpuMillis,
                                  @PositiveOrZero long memoryMib,
                                  @PositiveOrZero long networkMbps,
                                  @Size(max = 64) Map<@NotBlank String, @NotNull String> labels,
                                  @Size(max = 64) List<@NotNull @Valid AcceleratorInfo> accelerators,
                                  @Size(max = 64) List<@NotNull @Valid LocalDeviceInfo> localDevices,
                                  @Size(max = 10_000) List<@Pattern(regexp = UUID) String> runningWorkerIds) {
    }

    public record AcceleratorInfo(@Min(0) @Max(1023) int index,
                                  @NotNull @Pattern(regexp = "GPU|TPU") String kind,
                                  @Size(max = 64) String vendor,
                                  @NotBlank @Size(max = 64) String model,
                                  @PositiveOrZero @Max(Integer.MAX_VALUE) long memoryMib,
                                  @Size(max = 64) String interconnectDomain,
                                  @Pattern(regexp = "HEALTHY|DEGRADED|UNHEALTHY") String health) {
    }

    public record LocalDeviceInfo(@NotBlank @Size(max = 64) String name,
                                  @NotNull @Pattern(regexp = "NVME|SSD|HDD") String medium,
                                  @PositiveOrZero long capacityGib,
                                  @PositiveOrZero @Max(Integer.MAX_VALUE) long readMbPerSec,
                                  @PositiveOrZero @Max(Integer.MAX_VALUE) long writeMbPerSec) {
    }

    /** @param agentToken set when the agent registered with an enrollment token: its own server-bound token */
    public record RegisterResponse(String serverName, int heartbeatIntervalSeconds, String agentToken) {
    }

    /**
     * @param errors     accelerator errors (at least once; each key is acted on once), see {@link AcceleratorError}
     * @param power      {@code SUSPENDING}: the agent is about to run its suspend command (after a suspend directive);
     *                   null otherwise
     * @param powerError why the agent could not suspend (no suspend command configured, the command failed); null
     *                   when it did not try or it worked
     */
    public record HeartbeatRequest(@Valid Usage usage,
                                   @Size(max = 64) List<@NotNull @Valid AcceleratorHealth> acceleratorHealth,
                                   @Size(max = 10_000) List<@NotNull @Valid WorkerReport> workers,
                                   @Size(max = 256) List<@NotNull @Valid AcceleratorError> errors,
                                   @Pattern(regexp = "SUSPENDING") String power,
                                   @Size(max = 4096) String powerError) {
        public HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers) {
            this(usage, acceleratorHealth, workers, null, null, null);
        }

        public HeartbeatRequest(Usage usage, List<AcceleratorHealth> acceleratorHealth, List<WorkerReport> workers,
                                List<AcceleratorError> errors) {
            this(usage, acceleratorHealth, workers, errors, null, null);
        }
    }

    public record Usage(@PositiveOrZero long cpuMillisUsed, @PositiveOrZero long memoryMibUsed) {
    }

    /** @param reason why the agent's own probe finds it not healthy; null when healthy */
    public record AcceleratorHealth(@Min(0) int index, @NotNull @Pattern(regexp = "HEALTHY|DEGRADED|UNHEALTHY") String health,
                                    @Size(max = 1024) String reason) {
    }

    /**
     * One accelerator error seen by the agent (the node agent's AcceleratorError).
     *
     * @param errorClass {@code xid<N>}, {@code ecc-dbe}, {@code row-remap-pending}, {@code row-remap-failure},
     *                   {@code page-retirement-pending}, {@code gpu-lost}; the health policy's key
     * @param key        unique per occurrence on this accelerator
     */
    public record AcceleratorError(@Min(0) @Max(1023) int index,
                                   @NotNull @Pattern(regexp = "^[a-z][a-z0-9-]{0,39}$") String errorClass,
                                   @NotBlank @Size(max = 128) String key,
                                   @NotNull @Size(max = 1024) String message) {
    }

    public record WorkerReport(@NotNull @Pattern(regexp = UUID) String workerId,
                               @NotNull @Pattern(regexp = "RUNNING|SUCCEEDED|FAILED") String state,
                               Integer exitCode,
                               @Size(max = 4096) String message) {
    }

    /**
     * @param suspend true: the server is to be suspended (idle power management): the agent says
     *                {@code power: SUSPENDING} in a heartbeat and runs its suspend command if the answer to that one
     *                says true again (the suspend still stands)
     */
    public record HeartbeatResponse(List<Assignment> start, List<String> stop, boolean suspend) {
        public HeartbeatResponse(List<Assignment> start, List<String> stop) {
            this(start, stop, false);
        }
    }

    /** A worker to start; see the node agent's Assignment for the meaning of each field. */
    public record Assignment(String workerId, String jobId, String jobName, int attempt, String taskGroup,
                             int replicaIndex, int worldSize, String masterAddr, Integer masterPort,
                             List<Integer> gpuIndices, int milliGpu, long cpuMillis, long memoryMib,
                             String checkpointDir, Runtime runtime, Integer maxRunSeconds) {
    }

    public record Runtime(String type, Map<String, Object> embedded, ProcessSpec process) {
    }

    public record ProcessSpec(List<String> argv, Map<String, String> env, String workingDir) {
    }

    public record MetricsReport(@Min(0) int epoch,
                                @NotNull @DecimalMin("0") Double loss,
                                @DecimalMin("0") @DecimalMax("1") Double accuracy,
                                @DecimalMin("0") Double samplesPerSecond) {
    }

    public record LogBatch(@NotNull @Size(max = 5000) List<@NotNull @Size(max = 16_384) String> lines) {
    }
}
