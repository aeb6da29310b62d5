package io.berth.core.scheduling;

import io.berth.core.placement.Allocation;

import java.time.Instant;
import java.util.Objects;

/**
 * A job that holds resources: what the cycle needs to share, reserve and preempt.
 *
 * @param submittedAt  when the job was submitted (preemption takes the newest of the lowest priority first)
 * @param stopping     its workers are being stopped: it still holds its resources, and is not a preemption candidate
 * @param allocation   what it holds
 * @param expectedEnd  when it will have given its resources back at the latest (start + maxRunSeconds); null = unknown
 */
public record Holder(String jobId, String tenant, int priority, Instant submittedAt, boolean stopping,
                     Allocation allocation, Instant expectedEnd) {
    public Holder {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(allocation, "allocation");
        tenant = tenant == null ? "" : tenant;
    }
}
