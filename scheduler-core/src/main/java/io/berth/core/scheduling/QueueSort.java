package io.berth.core.scheduling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which a cycle considers queued jobs (the Kubernetes scheduler's QueueSort extension point). Pure: the
 * result depends only on the arguments.
 */
public interface QueueSort {
    /** Highest priority first, then oldest first, then job id (the ties of the control plane's queue query). */
    Comparator<QueuedJob> PRIORITY_THEN_AGE = Comparator.comparingInt(QueuedJob::priority).reversed()
            .thenComparing(QueuedJob::submittedAt).thenComparing(QueuedJob::id);

    String name();

    /**
     * @param queue     every job the cycle considers, in any order
     * @param usage     what each tenant holds now (missing = nothing)
     * @param capacity  the cluster's total, against which shares are taken
     * @return the same jobs, in the order to try them
     */
    List<QueuedJob> order(List<QueuedJob> queue, Map<String, Usage> usage, Usage capacity);

    /** Strict priority, then age: first come, first served within a priority (Slurm's and Kubernetes' default). */
    static QueueSort priorityFifo() {
        return new QueueSort() {
            public String name() {
                return "fifo";
            }

            public List<QueuedJob> order(List<QueuedJob> queue, Map<String, Usage> usage, Usage capacity) {
                List<QueuedJob> out = new ArrayList<>(queue);
                out.sort(PRIORITY_THEN_AGE); // a sorted input (as the control plane reads it) costs one pass
                return out;
            }
        };
    }

    /**
     * Priority first; between the tenants of one priority, dominant resource fairness: the tenant with the smallest
     * dominant share (the larger of its GPU and CPU share of the cluster) goes next, its share growing by each job
     * taken, so one tenant's backlog cannot starve another; oldest first within a tenant.
     */
    static QueueSort dominantResourceFairness() {
        return new QueueSort() {
            public String name() {
                return "drf";
            }

            public List<QueuedJob> order(List<QueuedJob> queue, Map<String, Usage> usage, Usage capacity) {
                List<QueuedJob> sorted = priorityFifo().order(queue, usage, capacity);
                double gpuCapacity = Math.max(1, capacity.gpuMilli());
                double cpuCapacity = Math.max(1, capacity.cpuMillis());
                List<QueuedJob> ordered = new ArrayList<>(sorted.size());
                int i = 0;
                while (i < sorted.size()) {
                    int priority = sorted.get(i).priority();
                    Map<String, Deque<QueuedJob>> byTenant = new LinkedHashMap<>();
                    while (i < sorted.size() && sorted.get(i).priority() == priority) {
                        byTenant.computeIfAbsent(sorted.get(i).tenant(), t -> new ArrayDeque<>()).add(sorted.get(i));
                        i++;
                    }
                    if (byTenant.size() == 1) {
                        ordered.addAll(byTenant.values().iterator().next());
                        continue;
                    }
                    Map<String, Usage> simulated = new HashMap<>();
                    byTenant.keySet().forEach(t -> simulated.put(t, usage.getOrDefault(t, Usage.ZERO)));
                    while (!byTenant.isEmpty()) {
                        String next = null;
                        double best = Double.MAX_VALUE;
                        for (String t : byTenant.keySet()) {
                            Usage u = simulated.get(t);
                            double s = Math.max(u.gpuMilli() / gpuCapacity, u.cpuMillis() / cpuCapacity);
                            if (s < best) {
                                best = s;
                                next = t;
                            }
                        }
                        Deque<QueuedJob> jobs = byTenant.get(next);
                        QueuedJob job = jobs.poll();
                        ordered.add(job);
                        simulated.put(next, simulated.get(next).plus(job.demand()));
                        if (jobs.isEmpty()) byTenant.remove(next);
                    }
                }
                return ordered;
            }
        };
    }
}
