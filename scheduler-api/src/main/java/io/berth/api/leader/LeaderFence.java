package io.berth.api.leader;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The single-row {@code leader_fence} table (V4): a monotonically increasing leader epoch.
 *
 * <p>{@link #take} runs in its own transaction (call it outside any transaction). {@link #check} must run inside the
 * caller's transaction, before its writes: the share lock it takes is held until that transaction ends, which is
 * what orders a deposed leader's last placement before the new leader's epoch.
 */
@Component
public class LeaderFence {
    private final JdbcClient jdbc;

    LeaderFence(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Refused placement: the caller is not (or no longer) the leader. Rolls the caller's transaction back. */
    public static final class NotLeader extends RuntimeException {
        private NotLeader(String message) {
            super(message);
        }

        static NotLeader lostLeadership(long epoch) {
            return new NotLeader("not the leader any more (epoch " + epoch + ")");
        }

        static NotLeader staleEpoch(long ours, long current) {
            return new NotLeader("leader epoch " + ours + " is stale: epoch " + current + " was taken by another leader");
        }
    }

    /**
     * Takes the next epoch for {@code holder} and returns it (1 for the first leader of a database). Waits for
     * placements currently holding the fence; every placement that checks the fence afterwards sees the new epoch.
     */
    public long take(String holder) {
        return jdbc.sql("UPDATE leader_fence SET epoch = epoch + 1, holder = ?, taken_at = now() RETURNING epoch")
                .param(holder).query(Long.class).single();
    }

    /** The current epoch, without locking; for diagnostics and tests. */
    public long current() {
        return jdbc.sql("SELECT epoch FROM leader_fence").query(Long.class).single();
    }

    /**
     * Inside the caller's transaction: locks the fence row FOR SHARE and returns the epoch to stamp the caller's
     * writes with, or throws {@link NotLeader} unless {@code leadership} leads and its epoch is the current one.
     * A newer epoch in the database also tells {@code leadership} it was {@linkplain Leadership#deposed deposed}.
     */
    public long check(Leadership leadership) {
        long current = jdbc.sql("SELECT epoch FROM leader_fence FOR SHARE").query(Long.class).single();
        long ours = leadership.epoch();
        if (current != ours) {
            if (current > ours) leadership.deposed(current);
            throw NotLeader.staleEpoch(ours, current);
        }
        if (!leadership.isLeader()) throw NotLeader.lostLeadership(ours);
        return current;
    }
}
