package io.berth.api.leader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Leadership outside Kubernetes ({@code berth.leader-election.enabled=false}, the default): the process leads from
 * start-up, under an epoch it takes from the fence once when it starts.
 *
 * <p>Two local control planes on one database are not an HA setup: the one started last takes a newer epoch, and
 * the older one, as soon as the fence refuses one of its placements, stops scheduling for good (logged at ERROR)
 * instead of retrying against a fence it can never pass again.
 */
public final class LocalLeadership implements Leadership, SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(LocalLeadership.class);

    private final LeaderFence fence;
    private final String identity;
    private volatile long epoch;
    private volatile boolean leader;
    private volatile boolean running;

    public LocalLeadership(LeaderFence fence, String identity) {
        this.fence = fence;
        this.identity = identity;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void deposed(long newerEpoch) {
        if (!leader) return;
        leader = false;
        log.error("another control plane took leader epoch {} (ours was {}); this process stops scheduling. "
                + "Run several control planes only with berth.leader-election.enabled=true", newerEpoch, epoch);
    }

    @Override
    public synchronized void start() {
        if (running) return;
        epoch = fence.take(identity);
        leader = true;
        running = true;
        log.info("leading as {} (local, no leader election), epoch {}", identity, epoch);
    }

    @Override
    public void stop() {
        leader = false;
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the scheduling loop (default phase) starts, after it stops. */
    @Override
    public int getPhase() {
        return LeaderConfiguration.PHASE;
    }
}
