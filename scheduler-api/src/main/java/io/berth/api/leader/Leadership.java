package io.berth.api.leader;

/**
 * Whether this control plane may run the scheduling loop, and under which fencing epoch. Exactly one implementation
 * is a bean: {@link LocalLeadership} by default, {@link KubernetesLeadership} with
 * {@code berth.leader-election.enabled=true}.
 *
 * <p>Thread safety: all methods may be called from any thread; values are read without locking and may change at any
 * moment. A caller that acts on {@code isLeader()} must still pass the database fence ({@link LeaderFence#check})
 * in the same transaction as its writes: only that is exact.
 */
public interface Leadership {
    /** True while this process holds leadership and has taken its epoch. */
    boolean isLeader();

    /**
     * The epoch this process took when it last became leader (1, 2, ...); 0 before it ever led. Meaningful only while
     * {@link #isLeader()} is true.
     */
    long epoch();

    /**
     * Called by the fence when the database holds a newer epoch than ours: another process took over. The
     * implementation stops leading at once; it leads again only through a new election (Kubernetes) or never (local:
     * a second local control plane on the same database took over, see {@link LocalLeadership}). Idempotent.
     */
    void deposed(long newerEpoch);
}
