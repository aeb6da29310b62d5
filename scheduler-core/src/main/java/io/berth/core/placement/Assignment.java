package io.berth.core.placement;

import java.util.List;
import java.util.Objects;

/**
 * Where one replica runs: a plain record the control plane persists and turns back into an {@link Allocation}.
 *
 * @param gpuIndices     accelerator indices on the server ({@code Accelerator.index}), ascending
 * @param milliGpuPerGpu share taken on each of those GPUs (1..1000)
 */
public record Assignment(String taskGroup, int replica, String server, List<Integer> gpuIndices, int milliGpuPerGpu,
                         long cpuMillis, long memoryMib, long storageGib, int storageMbPerSec, long networkMbps) {
    public Assignment {
        Objects.requireNonNull(taskGroup, "taskGroup");
        Objects.requireNonNull(server, "server");
        gpuIndices = gpuIndices == null ? List.of() : List.copyOf(gpuIndices);
    }
}
