package io.berth.core.scheduling;

import java.util.List;
import java.util.Objects;

/**
 * The queue policies of a scheduling cycle (the placement policy is the engine's profile).
 *
 * @param queueSort the order in which queued jobs are tried
 * @param backfill  what happens behind a job that does not fit
 * @param preemptor null: nobody preempts
 */
public record CyclePolicies(QueueSort queueSort, Backfill backfill, Preemptor preemptor) {
    public CyclePolicies {
        Objects.requireNonNull(queueSort, "queueSort");
        Objects.requireNonNull(backfill, "backfill");
    }

    /** The names {@link #named} knows. */
    public static final List<String> NAMES = List.of("fifo", "greedy", "berth");

    /**
     * The control plane's queue policy: priority, fair share between tenants, quotas, preemption from
     * {@code preemptionMinPriority} and, with {@code backfill}, reservations for the first blocked job (without, every
     * job that fits starts).
     */
    public static CyclePolicies berth(boolean backfill, int preemptionMinPriority) {
        return new CyclePolicies(QueueSort.dominantResourceFairness(),
                backfill ? Backfill.RESERVATION : Backfill.GREEDY, new Preemptor(preemptionMinPriority));
    }

    /**
     * By name, for the simulator: {@code fifo} = priority then age, nothing overtakes a blocked job (Slurm without
     * backfill); {@code greedy} = priority then age, every job that fits starts (Kubernetes' default queue);
     * {@code berth} = {@link #berth} with backfill, no preemption (every trace task has the same priority).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static CyclePolicies named(String name) {
        return switch (name) {
            case "fifo" -> new CyclePolicies(QueueSort.priorityFifo(), Backfill.NONE, null);
            case "greedy" -> new CyclePolicies(QueueSort.priorityFifo(), Backfill.GREEDY, null);
            case "berth" -> new CyclePolicies(QueueSort.dominantResourceFairness(), Backfill.RESERVATION, null);
            default -> throw new IllegalArgumentException("unknown queue policy '" + name + "'; known: " + NAMES);
        };
    }
}
