package io.berth.api.jobs;

import java.time.Instant;
import java.util.UUID;

/** A stored job. {@code attempt} counts placements; {@code failures} counts the failed or lost attempts. */
public record JobRow(UUID id, String name, String tenant, int priority, JobState state, String specJson, int attempt,
                     int failures, int maxRetries, Integer maxRunSeconds, long gpuMilli, long cpuMillis,
                     long memoryMib, String pendingReason, String message, long version, Instant createdAt,
                     Instant updatedAt, Instant startedAt, Instant finishedAt) {
}
