package io.berth.api.power;

import io.berth.api.inventory.PowerStates;
import io.berth.api.jobs.WorkersChanged;
import io.berth.core.inventory.Server;
import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementState;
import io.berth.core.power.PowerAction;
import io.berth.core.power.PowerDecision;
import io.berth.core.power.PowerInput;
import io.berth.core.power.PowerPolicy;
import io.berth.core.power.PowerServer;
import io.berth.core.power.PowerState;
import io.berth.core.scheduling.QueuedJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Idle power management on the leader: after each scheduling cycle the core {@link PowerPolicy} decides which idle
 * servers to suspend, which powered-off servers to resume for waiting jobs and which resumes failed; this class
 * carries it out. Server states: READY -> POWERING_OFF (suspend sent) -> POWERED_OFF -> RESUMING (resume sent) ->
 * READY (its agent reports again), or NOT_READY when the resume fails or times out. Each change is a server event
 * with its reason, the server's stateReason, and a counter.
 *
 * <p>Kept in memory on the leader (a new leader starts afresh, which only delays suspends): since when each READY
 * server has been idle, and the actions of the last minute (rate limits). The policy runs at most once a second;
 * between runs the last reasons of waiting jobs are reused. Thread-safe (one decision at a time).
 */
@Component
public class PowerManager {
    private static final Logger log = LoggerFactory.getLogger(PowerManager.class);
    private static final Duration MIN_PERIOD = Duration.ofSeconds(1);
    /** A gap between two runs longer than this forgets the idle times seen before it. */
    private static final Duration STALE = Duration.ofSeconds(30);

    private final PowerSavingProperties properties;
    private final PowerStates states;
    private final TransactionTemplate tx;
    private final PowerActions actions;
    private final ServerEvents events;
    private final ApplicationEventPublisher publisher;
    private final Counter suspends, resumes, suspendFailures, resumeFailures;

    private final Map<String, Instant> idleSince = new HashMap<>();
    private final ArrayDeque<Instant> recentSuspends = new ArrayDeque<>(), recentResumes = new ArrayDeque<>();
    private Instant lastRun;
    private Map<String, String> lastReasons = Map.of();

    PowerManager(PowerSavingProperties properties, PowerStates states, TransactionTemplate tx, PowerActions actions,
                 ServerEvents events, ApplicationEventPublisher publisher, MeterRegistry meters) {
        this.properties = properties;
        this.states = states;
        this.tx = tx;
        this.actions = actions;
        this.events = events;
        this.publisher = publisher;
        this.suspends = Counter.builder("berth.power.suspends").description("servers suspended by power saving")
                .register(meters);
        this.resumes = Counter.builder("berth.power.resumes").description("servers resumed by power saving")
                .register(meters);
        this.suspendFailures = Counter.builder("berth.power.suspend.failures")
                .description("suspend actions that failed").register(meters);
        this.resumeFailures = Counter.builder("berth.power.resume.failures")
                .description("resume actions that failed or timed out").register(meters);
        if (properties.enabled())
            log.info("power saving on: suspend after {} idle, keep {} idle on, suspend by {}, resume by {}",
                    properties.suspendAfter(), properties.keepIdleOn(), properties.suspendAction(),
                    properties.resumeCommand() != null ? "command" : "webhook");
    }

    public boolean enabled() {
        return properties.enabled();
    }

    /** Whether the next {@link #afterCycle} would decide anew (at most once per {@link #MIN_PERIOD}). */
    public synchronized boolean due() {
        return properties.enabled() && (lastRun == null || Duration.between(lastRun, Instant.now()).compareTo(MIN_PERIOD) >= 0);
    }

    /**
     * When the servers that idle power management holds off are expected to take work again, for start estimates:
     * POWERING_OFF and POWERED_OFF servers after {@code expected-resume} from {@code now} (a job that needs one wakes
     * it), RESUMING servers {@code expected-resume} after their resume was sent, {@code now} at the earliest. Empty
     * when power saving is off: nothing would resume them.
     */
    public Map<String, Instant> expectedReady(Instant now) {
        if (!properties.enabled()) return Map.of();
        Map<String, Instant> out = new HashMap<>();
        for (PowerStates.Transition t : states.offOrChanging()) {
            Instant at = "RESUMING".equals(t.state()) && t.changedAt() != null
                    ? t.changedAt().plus(properties.expectedResume()) : now.plus(properties.expectedResume());
            out.put(t.name(), at.isBefore(now) ? now : at);
        }
        return out;
    }

    /**
     * Runs the policy after a scheduling cycle (the leader's loop calls it) and carries out its decision. Returns the
     * pending reasons of waiting jobs that need servers that are off (job id -> reason).
     *
     * @param after     the cycle's state after its placements; the servers' states and racks are those of the
     *                  inventory it was built from (a server whose resume was answered after the cycle read the
     *                  inventory must count as resuming, not as ready, or a job waiting for it would wake another)
     * @param waiting   the jobs the cycle left unschedulable, in queue order
     * @param reserved  servers held by the cycle's reservations
     */
    public synchronized Map<String, String> afterCycle(PlacementEngine engine, PlacementState after,
                                                       List<QueuedJob> waiting, Set<String> reserved) {
        if (!properties.enabled()) return Map.of();
        Instant now = Instant.now();
        if (lastRun != null && Duration.between(lastRun, now).compareTo(MIN_PERIOD) < 0) return lastReasons;
        // not watching for a while (another replica led, or the database was down): idle times are unknown
        if (lastRun == null || Duration.between(lastRun, now).compareTo(STALE) > 0) idleSince.clear();
        lastRun = now;
        ClusterLayout layout = after.layout();
        Map<String, Instant> changedAt = new HashMap<>();
        for (PowerStates.Transition t : states.offOrChanging())
            if (t.changedAt() != null) changedAt.put(t.name(), t.changedAt());
        List<PowerServer> servers = new ArrayList<>(layout.serverCount());
        for (Server s : layout.inventory().servers()) {
            PowerState power = switch (s.state()) {
                case READY -> PowerState.ON;
                case POWERING_OFF -> PowerState.SUSPENDING;
                case POWERED_OFF -> PowerState.OFF;
                case RESUMING -> PowerState.RESUMING;
                default -> null; // out of service for other reasons: left alone
            };
            int i = layout.serverIndex(s.name());
            Instant idle = null;
            if (power == PowerState.ON && i >= 0 && after.serverReady(i) && after.idle(i)) {
                idle = idleSince.computeIfAbsent(s.name(), k -> now);
            } else {
                idleSince.remove(s.name());
            }
            if (power != null) servers.add(new PowerServer(s.name(), s.rack(), power, idle, changedAt.get(s.name())));
        }
        idleSince.keySet().retainAll(servers.stream().map(PowerServer::name).toList());
        purge(recentSuspends, now);
        purge(recentResumes, now);
        PowerDecision d = new PowerPolicy(engine, properties.toCore()).decide(new PowerInput(servers, after, waiting,
                reserved, now, recentSuspends.size(), recentResumes.size(), now.toEpochMilli()));
        for (PowerAction a : d.resumeFailed()) resumeFailed(a.server(), a.reason());
        for (PowerAction a : d.resume()) resume(a, now);
        for (PowerAction a : d.suspend()) suspend(a, now);
        lastReasons = d.waitingForResume();
        return lastReasons;
    }

    private static void purge(ArrayDeque<Instant> recent, Instant now) {
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minusSeconds(60))) recent.pollFirst();
    }

    /** READY -> POWERING_OFF, only when no worker is active there ({@link PowerStates#suspendIfIdle}). */
    private void suspend(PowerAction a, Instant now) {
        Boolean done = tx.execute(status -> {
            if (!states.suspendIfIdle(a.server(), ServerEvents.cut(a.reason(), 500))) return false;
            events.record(a.server(), a.reason());
            return true;
        });
        if (!Boolean.TRUE.equals(done)) return;
        recentSuspends.addLast(now);
        idleSince.remove(a.server());
        suspends.increment();
        log.info("server {} POWERING_OFF: {}", a.server(), a.reason());
        if (properties.suspendByAgent()) {
            publisher.publishEvent(new WorkersChanged(Set.of(a.server()))); // answers a held heartbeat at once
            return;
        }
        actions.suspend(a.server(), failure -> {
            if (failure == null) {
                if (states.poweredOff(a.server())) events.record(a.server(), "powered off");
            } else {
                suspendFailed(a.server(), failure);
            }
        });
    }

    /** A suspend that did not happen: the server is READY again (it may be suspended again once idle long enough). */
    public void suspendFailed(String server, String failure) {
        if (!states.suspendFailed(server)) return;
        suspendFailures.increment();
        events.record(server, "suspend failed: " + failure);
        log.warn("suspend of server {} failed, READY again: {}", server, failure);
    }

    private void resume(PowerAction a, Instant now) {
        if (!states.resuming(a.server(), ServerEvents.cut(a.reason(), 500))) return;
        events.record(a.server(), a.reason());
        recentResumes.addLast(now);
        resumes.increment();
        log.info("server {} RESUMING: {}", a.server(), a.reason());
        actions.resume(a.server(), failure -> {
            if (failure != null) resumeFailed(a.server(), "resume failed: " + failure);
        });
    }

    /** RESUMING -> NOT_READY with the reason (its agent reporting later makes it READY as after any outage). */
    private void resumeFailed(String server, String reason) {
        if (!states.resumeFailed(server, ServerEvents.cut(reason, 500))) return;
        resumeFailures.increment();
        events.record(server, reason);
        log.warn("server {} NOT_READY: {}", server, reason);
    }

    /**
     * POWERING_OFF servers whose agent has been silent for the heartbeat timeout since the suspend was sent are off
     * (the agent never confirmed, or the confirmation was lost); those whose agent still reports after
     * {@code resume-timeout} did not suspend and are READY again. Called by the heartbeat monitor on the leader.
     */
    public void settleSilent(int heartbeatTimeoutSeconds) {
        // an agent that keeps reporting but never confirms (say, one too old to know the directive): READY again
        List<String> unconfirmed = states.unconfirmedSuspendsReady(properties.resumeTimeout().toSeconds(),
                heartbeatTimeoutSeconds);
        for (String s : unconfirmed) {
            suspendFailures.increment();
            events.record(s, "suspend failed: its agent kept reporting without suspending for " + properties.resumeTimeout());
            log.warn("server {} READY again: its agent did not suspend within {}", s, properties.resumeTimeout());
        }
        List<String> off = states.silentSuspendsOff(heartbeatTimeoutSeconds);
        for (String s : off) {
            events.record(s, "powered off (its agent went silent)");
            log.info("server {} POWERED_OFF: its agent went silent after the suspend", s);
        }
    }
}
