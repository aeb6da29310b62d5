package io.berth.core.spec;

import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.TopologyScope;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.Set;

/**
 * One set of identical replicas of a job. Figures are per replica; null = the default (filled in by
 * {@link #normalised()}).
 *
 * @param gpus                    GPUs per replica, all on one server; default 0 = CPU only
 * @param milliGpu                share of each GPU, 1..1000 (default 1000 = whole GPUs); below 1000 only with
 *                                gpus = 1; must be null when gpus = 0
 * @param acceleratorModels       GPU models accepted; null or empty = any
 * @param minAcceleratorMemoryMib device memory each GPU needs at least; default 0
 * @param localStorageGib         local storage; default 0
 * @param storageMbPerSec         local storage bandwidth; default 0
 * @param networkMbps             NIC bandwidth in Mbit/s; default 0
 * @param gangSize                replicas that must start together, all or nothing; default = replicas
 * @param topology                NONE (default), INTERCONNECT_DOMAIN, LEAF_SWITCH or RACK; a preference unless
 *                                topologyRequired
 * @param topologyRequired        default false
 */
public record TaskGroupSpec(@NotBlank @Pattern(regexp = JobSpec.NAME, message = JobSpec.NAME_MESSAGE) String name,
                            @NotNull @Min(1) @Max(1024) Integer replicas,
                            @NotNull @PositiveOrZero Long cpuMillis,
                            @NotNull @PositiveOrZero Long memoryMib,
                            @Min(0) @Max(64) Integer gpus,
                            @Min(1) @Max(1000) Integer milliGpu,
                            @Size(max = 32) Set<@NotBlank String> acceleratorModels,
                            @PositiveOrZero Integer minAcceleratorMemoryMib,
                            @PositiveOrZero Long localStorageGib,
                            @PositiveOrZero Integer storageMbPerSec,
                            @PositiveOrZero Long networkMbps,
                            @Min(1) @Max(1024) Integer gangSize,
                            TopologyScope topology,
                            Boolean topologyRequired) {

    public int gpusOrZero() {
        return gpus == null ? 0 : gpus;
    }

    /** The share of each GPU in milli-GPU: 0 for CPU only, else milliGpu (default 1000). */
    public int milliGpuOrWhole() {
        return gpusOrZero() == 0 ? 0 : milliGpu == null ? 1000 : milliGpu;
    }

    /**
     * Every default filled in, so the stored spec says what the job asks for. Idempotent, and a valid group stays
     * valid (milliGpu stays null for a CPU-only group). Expects a group that passed validation.
     */
    public TaskGroupSpec normalised() {
        int g = gpusOrZero();
        return new TaskGroupSpec(name, replicas, cpuMillis, memoryMib, g, g == 0 ? milliGpu : Integer.valueOf(milliGpuOrWhole()),
                acceleratorModels, minAcceleratorMemoryMib == null ? 0 : minAcceleratorMemoryMib,
                localStorageGib == null ? 0L : localStorageGib, storageMbPerSec == null ? 0 : storageMbPerSec,
                networkMbps == null ? 0L : networkMbps, gangSize == null ? replicas : gangSize,
                topology == null ? TopologyScope.NONE : topology, Boolean.TRUE.equals(topologyRequired));
    }

    /** What the placement engine takes; the same for a group and its normalised form. */
    public TaskGroup toTaskGroup() {
        return new TaskGroup(name, replicas, cpuMillis, memoryMib, gpusOrZero(), milliGpuOrWhole(),
                acceleratorModels, minAcceleratorMemoryMib == null ? 0 : minAcceleratorMemoryMib,
                localStorageGib == null ? 0 : localStorageGib, storageMbPerSec == null ? 0 : storageMbPerSec,
                networkMbps == null ? 0 : networkMbps, gangSize == null ? replicas : gangSize, topology,
                Boolean.TRUE.equals(topologyRequired));
    }
}
