package io.berth.core.placement;

import java.util.Objects;

/**
 * One failed hard constraint on one server. Units follow the resource: millicores, MiB, milli-GPU, GiB, MB/s,
 * Mbit/s, or a count of GPUs. For GPU reasons {@code free} and {@code capacity} count GPUs (GPU_COUNT, GPU_MODEL,
 * GPU_MEMORY, GPU_FREE: eligible GPUs found vs GPUs on the server).
 */
public record Reason(ReasonKind kind, String server, long requested, long free, long capacity) {
    public Reason {
        Objects.requireNonNull(kind, "kind");
    }
}
