package io.berth.core.placement;

import java.util.Objects;

/**
 * One failed hard constraint on one server. Units follow the resource: millicores, MiB, milli-GPU, GiB, MB/s,
 * Mbit/s, or a count of GPUs. For GPU reasons {@code free} and {@code capacity} count GPUs (GPU_COUNT, GPU_MODEL,
 * GPU_MEMORY, GPU_FREE: eligible GPUs found vs GPUs on the server). Whole-cluster reasons (CLUSTER_GPU in milli-GPU,
 * CLUSTER_CPU in millicores, CLUSTER_MEMORY in MiB) have a null {@code server}: requested is the job's (or task
 * group's) total, free and capacity the cluster's total.
 */
public record Reason(ReasonKind kind, String server, long requested, long free, long capacity) {
    public Reason {
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * For people: "not enough free GPU (requested 4, capacity 8 on sim-a100-1)"; a whole-cluster reason in its unit,
     * "the cluster has too few GPUs (requested 100 GPUs, the cluster has 16 GPUs)".
     */
    public String describe() {
        if (server != null)
            return kind.phrase() + " (requested " + requested + ", capacity " + capacity + " on " + server + ")";
        return switch (kind) {
            case CLUSTER_GPU -> kind.phrase() + " (requested " + ClusterTotals.gpus(requested) + ", the cluster has "
                    + ClusterTotals.gpus(free) + ")";
            case CLUSTER_CPU -> kind.phrase() + String.format(java.util.Locale.US,
                    " (requested %,d millicores, the cluster has %,d)", requested, free);
            case CLUSTER_MEMORY -> kind.phrase() + String.format(java.util.Locale.US,
                    " (requested %,d MiB, the cluster has %,d)", requested, free);
            default -> kind.phrase() + " (requested " + requested + ", capacity " + capacity + ")";
        };
    }
}
