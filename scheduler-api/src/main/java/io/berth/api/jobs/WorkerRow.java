package io.berth.api.jobs;

import java.util.List;
import java.util.UUID;

/** One placed replica of a job attempt, on one server. */
public record WorkerRow(UUID id, UUID jobId, int attempt, String taskGroup, int replica, int rank, int worldSize,
                        long serverId, String serverName, List<Integer> gpuIndices, int milliGpu, long cpuMillis,
                        long memoryMib, long networkMbps, long storageGib, int storageMbPerSec, String masterAddr, int masterPort, WorkerState state,
                        boolean holdsResources, Integer exitCode, String message) {
}
