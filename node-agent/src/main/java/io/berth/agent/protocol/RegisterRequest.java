package io.berth.agent.protocol;

import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/v1/agents/register}: creates or updates this agent's server in the
 * inventory. Idempotent by {@code name}; sent again after every agent restart and whenever the
 * control plane no longer knows the agent.
 *
 * @param name             server name, unique in the cluster
 * @param rack             rack (failure/topology domain), never blank
 * @param address          host other replicas use to reach this agent (MASTER_ADDR for rank 0)
 * @param cpuMillis        schedulable CPU, millicores (1 core = 1000)
 * @param memoryMib        schedulable memory, MiB
 * @param networkMbps      NIC bandwidth in Mbit/s; 0 = unknown
 * @param labels           free-form labels; empty when none
 * @param accelerators     GPUs/TPUs by local index; empty when none
 * @param localDevices     local storage devices; empty when none
 * @param runningWorkerIds workers this agent still runs (re-attached after a restart); the control
 *                         plane may consider any other worker it placed here as lost
 */
public record RegisterRequest(
        String name,
        String rack,
        String address,
        long cpuMillis,
        long memoryMib,
        long networkMbps,
        Map<String, String> labels,
        List<AcceleratorInfo> accelerators,
        List<LocalDeviceInfo> localDevices,
        List<String> runningWorkerIds) {

    public RegisterRequest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        accelerators = accelerators == null ? List.of() : List.copyOf(accelerators);
        localDevices = localDevices == null ? List.of() : List.copyOf(localDevices);
        runningWorkerIds = runningWorkerIds == null ? List.of() : List.copyOf(runningWorkerIds);
    }

    /**
     * @param kind               "GPU" or "TPU"
     * @param memoryMib          device memory, MiB
     * @param interconnectDomain devices sharing a fast interconnect (NVLink/ICI) share this value; null = unknown
     * @param health             "HEALTHY" or "UNHEALTHY"
     */
    public record AcceleratorInfo(int index, String kind, String vendor, String model, long memoryMib,
                                  String interconnectDomain, String health) {
    }

    /**
     * @param medium        "NVME", "SSD" or "HDD"
     * @param capacityGib   capacity, GiB
     * @param readMbPerSec  sequential read, MB/s; 0 = unknown
     * @param writeMbPerSec sequential write, MB/s; 0 = unknown
     */
    public record LocalDeviceInfo(String name, String medium, long capacityGib, long readMbPerSec, long writeMbPerSec) {
    }
}
