package io.berth.core.placement;

import java.util.Objects;
import java.util.Set;

/**
 * A set of identical replicas of one job. All figures are per replica.
 *
 * @param gpuCount          GPUs per replica, all on one server (0 = CPU-only)
 * @param milliGpuPerGpu    share of each of those GPUs, 1..1000 (below 1000 the GPU is shared); ignored when gpuCount = 0
 * @param acceptedModels    GPU models the replica accepts; empty = any model
 * @param minGpuMemoryMib   minimum device memory of each GPU (0 = no minimum)
 * @param storageGib        local storage capacity; {@code storageMbPerSec} local storage bandwidth
 * @param networkMbps       NIC bandwidth in Mbit/s
 * @param gangSize          minimum number of replicas placed together, all or nothing (1..replicas);
 *                          replicas beyond the gang size are placed when they fit and left out otherwise
 * @param topology          where the replicas should land relative to each other
 * @param topologyRequired  true: the topology is a hard constraint; false: a preference
 */
public record TaskGroup(String name, int replicas, long cpuMillis, long memoryMib, int gpuCount, int milliGpuPerGpu,
                        Set<String> acceptedModels, int minGpuMemoryMib, long storageGib, int storageMbPerSec,
                        long networkMbps, int gangSize, TopologyScope topology, boolean topologyRequired) {
    public TaskGroup {
        Objects.requireNonNull(name, "name");
        if (replicas < 1) throw new IllegalArgumentException("replicas must be >= 1");
        if (cpuMillis < 0 || memoryMib < 0 || storageGib < 0 || storageMbPerSec < 0 || networkMbps < 0 || minGpuMemoryMib < 0)
            throw new IllegalArgumentException("resource requests must be >= 0");
        if (gpuCount < 0) throw new IllegalArgumentException("gpuCount must be >= 0");
        if (gpuCount > 0 && (milliGpuPerGpu < 1 || milliGpuPerGpu > 1000))
            throw new IllegalArgumentException("milliGpuPerGpu must be 1..1000, was " + milliGpuPerGpu);
        if (gpuCount > 1 && milliGpuPerGpu < 1000)
            throw new IllegalArgumentException("a shared (milliGpuPerGpu < 1000) request must use exactly one GPU");
        if (gpuCount == 0) milliGpuPerGpu = 0;
        if (gangSize == 0) gangSize = replicas;
        if (gangSize < 1 || gangSize > replicas) throw new IllegalArgumentException("gangSize must be 1..replicas");
        acceptedModels = acceptedModels == null ? Set.of() : Set.copyOf(acceptedModels);
        topology = topology == null ? TopologyScope.NONE : topology;
    }

    /** One replica, no storage, network or topology wishes: the shape of a trace task. */
    public static TaskGroup single(String name, long cpuMillis, long memoryMib, int gpuCount, int milliGpuPerGpu,
                                   Set<String> acceptedModels) {
        return new TaskGroup(name, 1, cpuMillis, memoryMib, gpuCount, milliGpuPerGpu, acceptedModels, 0, 0, 0, 0, 1,
                TopologyScope.NONE, false);
    }

    /** GPU demand of one replica in milli-GPU. */
    public long gpuMilliPerReplica() {
        return (long) gpuCount * milliGpuPerGpu;
    }
}
