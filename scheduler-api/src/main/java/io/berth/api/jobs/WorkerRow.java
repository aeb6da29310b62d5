package io.berth.api.jobs;

import io.berth.core.placement.Assignment;

import java.util.List;
import java.util.UUID;

/** One placed replica of a job attempt, on one server. */
public record WorkerRow(UUID id, UUID jobId, int attempt, String taskGroup, int replica, int rank, int worldSize,
                        long serverId, String serverName, List<Integer> gpuIndices, int milliGpu, long cpuMillis,
                        long memoryMib, long networkMbps, long storageGib, int storageMbPerSec, String masterAddr, int masterPort, WorkerState state,
                        boolean holdsResources, Integer exitCode, String message) {

    /**
     * A worker about to be stored for a placement: ASSIGNED, holding what the assignment reserves, no server id yet
     * (0: the repository resolves {@code serverName}), no exit code or message. A shared GPU's {@code milliGpu} is
     * kept only when the assignment has GPUs.
     *
     * @param rank      the replica's rank in the job attempt, 0 to {@code worldSize} - 1
     * @param worldSize how many replicas the attempt has
     */
    public static WorkerRow assigned(UUID jobId, int attempt, Assignment a, int rank, int worldSize,
                                     String masterAddr, int masterPort) {
        return new WorkerRow(UUID.randomUUID(), jobId, attempt, a.taskGroup(), a.replica(), rank, worldSize, 0,
                a.server(), a.gpuIndices(), a.gpuIndices().isEmpty() ? 0 : a.milliGpuPerGpu(), a.cpuMillis(),
                a.memoryMib(), a.networkMbps(), a.storageGib(), a.storageMbPerSec(), masterAddr, masterPort,
                WorkerState.ASSIGNED, true, null, null);
    }
}
