package io.berth.api.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's utilization samples of the last {@link #KEEP}, in memory, oldest first: what this replica measured
 * since it started (a restart starts an empty history; every replica samples the same database, so any replica's
 * history describes the whole cluster). Thread-safe.
 */
final class UtilizationHistory {
    static final Duration KEEP = Duration.ofHours(24);

    /**
     * One measurement of the whole cluster.
     *
     * @param gpuCapacityMilli   1000 per accelerator
     * @param gpuAllocatedMilli  sum of the shares held, 0..gpuCapacityMilli
     * @param allocationRatio    gpuAllocatedMilli / gpuCapacityMilli, 0..1 (0 without accelerators)
     * @param fragmentationRatio idle capacity on partly allocated accelerators / gpuCapacityMilli, 0..1
     * @param queuedJobs         jobs in state QUEUED
     * @param runningJobs        jobs in state SCHEDULED or RUNNING
     */
    record Sample(Instant at, long gpuCapacityMilli, long gpuAllocatedMilli, double allocationRatio,
                  double fragmentationRatio, long queuedJobs, long runningJobs) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    synchronized void add(Sample s) {
        samples.addLast(s);
        Instant horizon = s.at().minus(KEEP);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(horizon)) samples.removeFirst();
    }

    /**
     * The samples taken at or after {@code since}, oldest first, at most {@code maxPoints}: when there are more,
     * consecutive samples are averaged in equal groups (counts rounded), each group dated by its last sample.
     */
    List<Sample> since(Instant since, int maxPoints) {
        List<Sample> recent;
        synchronized (this) {
            recent = samples.stream().filter(s -> !s.at().isBefore(since)).toList();
        }
        if (recent.size() <= maxPoints) return recent;
        List<Sample> out = new ArrayList<>(maxPoints);
        int group = (recent.size() + maxPoints - 1) / maxPoints;
        for (int i = 0; i < recent.size(); i += group) {
            List<Sample> g = recent.subList(i, Math.min(recent.size(), i + group));
            int n = g.size();
            out.add(new Sample(g.get(n - 1).at(),
                    Math.round(g.stream().mapToLong(Sample::gpuCapacityMilli).average().orElse(0)),
                    Math.round(g.stream().mapToLong(Sample::gpuAllocatedMilli).average().orElse(0)),
                    g.stream().mapToDouble(Sample::allocationRatio).average().orElse(0),
                    g.stream().mapToDouble(Sample::fragmentationRatio).average().orElse(0),
                    Math.round(g.stream().mapToLong(Sample::queuedJobs).average().orElse(0)),
                    Math.round(g.stream().mapToLong(Sample::runningJobs).average().orElse(0))));
        }
        return out;
    }
}
