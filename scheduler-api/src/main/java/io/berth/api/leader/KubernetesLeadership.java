package io.berth.api.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Leadership by Kubernetes leader election on a Lease (fabric8 {@code LeaderElector} with a {@code LeaseLock}).
 *
 * <p>On winning the lease this replica first takes a new epoch from the {@link LeaderFence} and only then reports
 * {@link #isLeader()}; taking the epoch waits for the previous leader's in-flight placements and refuses every later
 * one. On losing it (renewal failed past the renew deadline, another holder observed, or {@link #stop()}) it reports
 * not-leader before doing anything else. If the epoch cannot be taken (database unreachable) the replica keeps the
 * lease and retries every retry period; it does not lead until it has an epoch.
 *
 * <p>Callbacks come from fabric8's executor, serialized by the elector; {@code onNewLeader} may get null (the lease
 * was released). {@code stop()} releases the lease so another replica takes over after one retry period instead of a
 * whole lease duration.
 */
public final class KubernetesLeadership implements Leadership, SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(KubernetesLeadership.class);

    private final KubernetesClient client;
    private final LeaderFence fence;
    private final LeaderElectionProperties properties;
    private final String namespace;
    private final String identity;
    private final Object lock = new Object();
    private volatile boolean leader;
    private volatile long epoch;
    private volatile String observedLeader;
    /** Guarded by lock: true between onStartLeading and onStopLeading. */
    private boolean holdsLease;
    private ScheduledExecutorService retries;
    private CompletableFuture<?> election;
    private volatile boolean running;

    public KubernetesLeadership(KubernetesClient client, LeaderFence fence, LeaderElectionProperties properties,
                                String namespace, String identity) {
        this.client = client;
        this.fence = fence;
        this.properties = properties;
        this.namespace = namespace;
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

    public String identity() {
        return identity;
    }

    /** The holder last observed on the lease; null when none was observed or the lease was released. */
    public String observedLeader() {
        return observedLeader;
    }

    @Override
    public void deposed(long newerEpoch) {
        if (!leader) return;
        leader = false;
        log.error("leader epoch {} taken by another process while {} holds lease {}/{}; not scheduling until "
                + "leadership is won again", newerEpoch, identity, namespace, properties.leaseName());
    }

    void onStartLeading() {
        synchronized (lock) {
            holdsLease = true;
        }
        log.info("{} acquired lease {}/{}", identity, namespace, properties.leaseName());
        takeEpoch();
    }

    private void takeEpoch() {
        long taken;
        try {
            taken = fence.take(identity);
        } catch (RuntimeException e) {
            log.error("{} holds the lease but could not take a leader epoch, retrying: {}", identity, e.getMessage());
            ScheduledExecutorService r = retries;
            if (r != null && !r.isShutdown())
                r.schedule(this::retryEpoch, properties.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        synchronized (lock) {
            // the lease may have been lost while the epoch was being taken: then we never lead under it
            if (!holdsLease) return;
            epoch = taken;
            leader = true;
        }
        log.info("{} leads the scheduling loop, epoch {}", identity, taken);
    }

    private void retryEpoch() {
        synchronized (lock) {
            if (!holdsLease || leader) return;
        }
        takeEpoch();
    }

    void onStopLeading() {
        leader = false; // first: the scheduling loop and the fence must see it at once
        boolean was;
        synchronized (lock) {
            was = holdsLease;
            holdsLease = false;
        }
        if (!was) return;
        if (running) log.warn("{} lost lease {}/{} (epoch {}); scheduling stopped", identity, namespace,
                properties.leaseName(), epoch);
        else log.info("{} released lease {}/{} on shutdown (epoch {})", identity, namespace, properties.leaseName(), epoch);
    }

    /** {@code identity} is null when the lease was released and nobody holds it yet. */
    void onNewLeader(String newLeader) {
        observedLeader = newLeader;
        if (newLeader == null) log.info("lease {}/{} released; no leader until a replica takes it", namespace,
                properties.leaseName());
        else log.info("lease {}/{} held by {}", namespace, properties.leaseName(), newLeader);
    }

    @Override
    public synchronized void start() {
        if (running) return;
        retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-leader-epoch");
            t.setDaemon(true);
            return t;
        });
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(properties.leaseName())
                .withLock(new LeaseLock(namespace, properties.leaseName(), identity))
                .withLeaseDuration(properties.leaseDuration())
                .withRenewDeadline(properties.renewDeadline())
                .withRetryPeriod(properties.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::onStartLeading, this::onStopLeading, this::onNewLeader))
                .build()).build().start();
        running = true;
        log.info("leader election started: {} on lease {}/{} (lease {}, renew deadline {}, retry {})", identity,
                namespace, properties.leaseName(), properties.leaseDuration(), properties.renewDeadline(),
                properties.retryPeriod());
    }

    /** Stops leading at once and releases the lease (if held) so another replica can take over. */
    @Override
    public synchronized void stop() {
        leader = false;
        running = false;
        CompletableFuture<?> e = election;
        election = null;
        if (e != null) e.cancel(true); // fabric8 releases the lease and calls onStopLeading
        synchronized (lock) {
            holdsLease = false;
        }
        if (retries != null) retries.shutdownNow();
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
