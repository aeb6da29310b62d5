package io.berth.core.protocol;

import jakarta.validation.Valid;
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
 * Body of {@code POST /api/v1/agents/register}: creates or updates this agent's server in the inventory. Idempotent
 * by {@code name}; sent again after every agent restart and whenever the control plane no longer knows the agent.
 *
 * @param name             server name, unique in the cluster
 * @param rack             rack (failure/topology domain); null = the default rack
 * @param address          host other replicas use to reach this agent (MASTER_ADDR for rank 0); null or blank = name
 * @param cpuMillis        schedulable CPU, millicores (1 core = 1000)
 * @param memoryMib        schedulable memory, MiB
 * @param networkMbps      NIC bandwidth in Mbit/s; 0 = unknown
 * @param labels           free-form labels; empty when none (null reads as empty)
 * @param accelerators     GPUs/TPUs by local index; empty when none
 * @param localDevices     local storage devices; empty when none
 * @param runningWorkerIds workers this agent still runs (re-attached after a restart); the control plane marks any
 *                         other RUNNING or STOPPING worker it placed here LOST
 */
public record RegisterRequest(@NotBlank @Pattern(regexp = Wire.NAME) String name,
                              @Pattern(regexp = Wire.NAME) String rack,
                              @Size(max = 253) String address,
                              @PositiveOrZero long cpuMillis,
                              @PositiveOrZero long memoryMib,
                              @PositiveOrZero long networkMbps,
                              @Size(max = 64) Map<@NotBlank String, @NotNull String> labels,
                              @Size(max = 64) List<@NotNull @Valid AcceleratorInfo> accelerators,
                              @Size(max = 64) List<@NotNull @Valid LocalDeviceInfo> localDevices,
                              @Size(max = 10_000) List<@Pattern(regexp = Wire.UUID) String> runningWorkerIds) {

    public RegisterRequest {
        labels = Wire.orEmpty(labels);
        accelerators = Wire.orEmpty(accelerators);
        localDevices = Wire.orEmpty(localDevices);
        runningWorkerIds = Wire.orEmpty(runningWorkerIds);
    }

    /**
     * @param kind               "GPU" or "TPU"
     * @param memoryMib          device memory, MiB
     * @param interconnectDomain devices sharing a fast interconnect (NVLink/ICI) share this value; null = unknown
     * @param health             "HEALTHY", "DEGRADED" or "UNHEALTHY"; null = HEALTHY
     */
    public record AcceleratorInfo(@Min(0) @Max(1023) int index,
                                  @NotNull @Pattern(regexp = "GPU|TPU") String kind,
                                  @Size(max = 64) String vendor,
                                  @NotBlank @Size(max = 64) String model,
                                  @PositiveOrZero @Max(Integer.MAX_VALUE) long memoryMib,
                                  @Size(max = 64) String interconnectDomain,
                                  @Pattern(regexp = "HEALTHY|DEGRADED|UNHEALTHY") String health) {
    }

    /**
     * @param medium        "NVME", "SSD" or "HDD"
     * @param capacityGib   capacity, GiB
     * @param readMbPerSec  sequential read, MB/s; 0 = unknown
     * @param writeMbPerSec sequential write, MB/s; 0 = unknown
     */
    public record LocalDeviceInfo(@NotBlank @Size(max = 64) String name,
                                  @NotNull @Pattern(regexp = "NVME|SSD|HDD") String medium,
                                  @PositiveOrZero long capacityGib,
                                  @PositiveOrZero @Max(Integer.MAX_VALUE) long readMbPerSec,
                                  @PositiveOrZero @Max(Integer.MAX_VALUE) long writeMbPerSec) {
    }
}
