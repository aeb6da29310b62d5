package io.berth.api.inventory;

import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.ServerState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What is allocated on one server right now: the usage counters the placements keep and, per accelerator, the
 * workers holding a share of it. {@code allocatedMilli} sums shares, 1000 per whole accelerator. {@code stateReason}:
 * why it was cordoned or drained (see {@link ServerView}).
 */
public record ServerAllocation(String server, String rack, ServerState state, String stateReason, boolean agentConnected,
                               Long agentHeartbeatAgeSeconds, Amount cpuMillis, Amount memoryMib,
                               List<AcceleratorAllocation> accelerators) {

    public record Amount(long capacity, long allocated) {
    }

    public record AcceleratorAllocation(int index, String model, int memoryMib, AcceleratorHealth health,
                                        int allocatedMilli, List<Holder> holders) {
        /** Nothing allocated and not unhealthy: a whole accelerator a job can have. */
        boolean free() {
            return allocatedMilli == 0 && health != AcceleratorHealth.UNHEALTHY;
        }
    }

    /** A worker holding {@code milliGpu} of the accelerator. */
    public record Holder(UUID jobId, String jobName, String tenant, UUID workerId, int rank, int milliGpu) {
    }

    /** Accelerators of one model on a server (or, summed, in the cluster). */
    public record ModelCount(String model, int total, int free, long allocatedMilli, int unhealthy) {
    }

    /** This server without the per-accelerator detail: accelerators counted per model. */
    public record Summary(String server, String rack, ServerState state, String stateReason, boolean agentConnected,
                          Long agentHeartbeatAgeSeconds, Amount cpuMillis, Amount memoryMib, List<ModelCount> gpus) {
    }

    /** The whole cluster: every server summarized and the accelerators counted per model. */
    public record Cluster(List<Summary> servers, List<ModelCount> models) {
    }

    Summary summary() {
        return new Summary(server, rack, state, stateReason, agentConnected, agentHeartbeatAgeSeconds, cpuMillis, memoryMib,
                count(accelerators));
    }

    /** Per-model counts, models in order of first appearance. */
    static List<ModelCount> count(List<AcceleratorAllocation> accelerators) {
        Map<String, List<AcceleratorAllocation>> byModel = accelerators.stream()
                .collect(Collectors.groupingBy(AcceleratorAllocation::model, LinkedHashMap::new, Collectors.toList()));
        return byModel.entrySet().stream().map(e -> {
            List<AcceleratorAllocation> of = e.getValue();
            return new ModelCount(e.getKey(), of.size(), (int) of.stream().filter(AcceleratorAllocation::free).count(),
                    of.stream().mapToLong(AcceleratorAllocation::allocatedMilli).sum(),
                    (int) of.stream().filter(a -> a.health() == AcceleratorHealth.UNHEALTHY).count());
        }).toList();
    }
}
