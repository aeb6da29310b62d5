package io.berth.core.placement;

import java.util.List;
import java.util.Objects;

/** Work already running (or reserved) on the cluster: the assignments of one job. */
public record Allocation(String jobId, int priority, List<Assignment> assignments) {
    public Allocation {
        Objects.requireNonNull(jobId, "jobId");
        assignments = List.copyOf(assignments);
    }
}
