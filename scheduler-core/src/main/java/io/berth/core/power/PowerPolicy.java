package io.berth.core.power;

import io.berth.core.placement.Assignment;
import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.scheduling.QueuedJob;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Idle power management after a scheduling cycle, as a pure function of its {@link PowerInput} (Slurm's power
 * saving): the control plane's loop and the trace simulator make the same decisions.
 *
 * <p><b>Resume.</b> Each waiting job, in queue order, is placed by the engine (what-if) on a plan: a copy of the
 * cycle's state in which RESUMING servers and the servers already chosen for resuming count as ready, and, only when
 * it does not fit there, on a second copy in which every OFF server counts as ready too. So a job is sent to servers
 * that are on or coming back before any server is woken for it (placement prefers servers that are on); and when it
 * lands on several OFF servers, they are dropped one at a time while it still fits on the rest, so a gang that needs
 * one more server wakes one. The job is reserved in both copies, so later jobs see it. OFF servers it lands on are resumed
 * while the per-minute budget lasts; the others wait for the next minute and the job says so. A job identical in
 * shape to one that fitted nowhere is not tried again (the plans only fill up), and once the budget is spent the plan
 * stops after {@link #PLANNED_JOBS} jobs.
 *
 * <p><b>Suspend.</b> ON servers that are ready in the cycle's state, idle there and idle for at least
 * {@code suspendAfter}, neither excluded (by name or rack) nor reserved by the cycle nor used by the resume plan,
 * longest idle first, within the per-minute budget. At least {@code keepIdleOn} idle ready ON servers (counting the
 * excluded ones and those idle for less than {@code suspendAfter}) stay on.
 *
 * <p><b>Resume failures.</b> RESUMING servers whose resume was sent {@code resumeTimeout} or longer ago; they are
 * left out of the plans.
 *
 * <p>Immutable and thread-safe; reads no clock ({@link PowerInput#now()} is the time).
 */
public final class PowerPolicy {
    /**
     * Once the per-minute resume budget is spent, the plan stops after this many waiting jobs (of distinct shapes,
     * in queue order): the jobs behind could not wake a server before the next minute anyway, and a long queue
     * would otherwise cost a placement per job on every decision. They keep the cycle's reason meanwhile.
     */
    static final int PLANNED_JOBS = 64;

    private final PlacementEngine engine;
    private final PowerSaving settings;

    public PowerPolicy(PlacementEngine engine, PowerSaving settings) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public PowerSaving settings() {
        return settings;
    }

    public PowerDecision decide(PowerInput in) {
        if (!settings.enabled()) return PowerDecision.NOTHING;
        PlacementState after = in.after();
        ClusterLayout l = after.layout();
        Instant now = in.now();

        List<PowerAction> failed = new ArrayList<>();
        Set<Integer> resuming = new HashSet<>(), off = new HashSet<>();
        Map<Integer, Instant> readyAt = new HashMap<>(); // expected ready time of the RESUMING servers
        for (PowerServer p : in.servers()) {
            int s = l.serverIndex(p.name());
            if (p.power() == PowerState.RESUMING) {
                if (p.changedAt() != null && !p.changedAt().plus(settings.resumeTimeout()).isAfter(now)) {
                    failed.add(new PowerAction(p.name(), "did not come back within " + settings.resumeTimeout()
                            + " of the resume sent at " + p.changedAt()));
                } else if (s >= 0) {
                    resuming.add(s);
                    readyAt.put(s, (p.changedAt() == null ? now : p.changedAt()).plus(settings.expectedResume()));
                }
            } else if (p.power() == PowerState.OFF && s >= 0) {
                off.add(s);
            }
        }

        Plan plan = plan(in, resuming, off, readyAt);
        List<PowerAction> suspend = suspend(in, plan.needed);
        return new PowerDecision(suspend, plan.resume, failed, plan.reasons);
    }

    private record Plan(List<PowerAction> resume, Map<String, String> reasons, Set<String> needed) {
    }

    private Plan plan(PowerInput in, Set<Integer> resuming, Set<Integer> off, Map<Integer, Instant> readyAt) {
        List<PowerAction> resume = new ArrayList<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        Set<String> needed = new HashSet<>();
        if (in.waiting().isEmpty() || (resuming.isEmpty() && off.isEmpty())) return new Plan(resume, reasons, needed);

        ClusterLayout l = in.after().layout();
        Instant resumedReadyAt = in.now().plus(settings.expectedResume());
        int budget = Math.max(0, settings.maxResumePerMinute() - in.resumesLastMinute());
        Set<Integer> toResume = new HashSet<>();
        PlacementState onPlan = in.after().withReady(resuming);
        PlacementState allPlan = off.isEmpty() ? null : onPlan.withReady(off);
        Set<JobRequest> fitsNowhere = new HashSet<>();
        int tried = 0;

        for (QueuedJob job : in.waiting()) {
            JobRequest request = job.request();
            JobRequest shape = new JobRequest("", request.tenant(), request.priority(), request.taskGroups());
            if (fitsNowhere.contains(shape)) continue;
            if (toResume.size() >= budget && tried >= PLANNED_JOBS) break; // nothing more can be woken now
            tried++;
            PlacementResult r = engine.place(onPlan, request, in.seed());
            boolean woken = false;
            if (!(r instanceof PlacementResult.Placed) && allPlan != null) {
                r = engine.place(allPlan, request, in.seed());
                woken = true;
            }
            if (!(r instanceof PlacementResult.Placed placed)) {
                fitsNowhere.add(shape);
                continue;
            }
            if (woken) {
                PlacementResult.Placed fewer = fewerWoken(onPlan, request, placed, off, toResume, in.seed());
                if (fewer != placed) {
                    for (Assignment a : placed.assignments()) allPlan.release(a);
                    for (Assignment a : fewer.assignments()) allPlan.reserve(a);
                    placed = fewer;
                }
            }
            PlacementState mirror = woken ? onPlan : allPlan;
            if (mirror != null) for (Assignment a : placed.assignments()) mirror.reserve(a);

            Set<Integer> servers = new LinkedHashSet<>();
            for (Assignment a : placed.assignments()) {
                servers.add(l.serverIndex(a.server()));
                needed.add(a.server());
            }
            List<String> waitFor = new ArrayList<>(), blocked = new ArrayList<>();
            Set<Integer> newly = new HashSet<>();
            Instant ready = null;
            for (int s : servers) {
                Instant at;
                if (resuming.contains(s)) {
                    at = readyAt.get(s);
                } else if (toResume.contains(s)) {
                    at = resumedReadyAt;
                } else if (off.contains(s) && toResume.size() < budget) {
                    toResume.add(s);
                    newly.add(s);
                    resume.add(new PowerAction(l.serverName(s), "resuming for job " + job.id()));
                    at = resumedReadyAt;
                } else if (off.contains(s)) {
                    blocked.add(l.serverName(s));
                    continue;
                } else {
                    continue; // on: nothing to wait for
                }
                waitFor.add(l.serverName(s));
                if (ready == null || at.isAfter(ready)) ready = at;
            }
            if (!newly.isEmpty()) onPlan = onPlan.withReady(newly);
            String reason = reason(waitFor, blocked, ready);
            if (reason != null) reasons.put(job.id(), reason);
        }
        return new Plan(resume, reasons, needed);
    }

    /**
     * The engine scores woken servers like running ones, so a job that needs one server woken may have landed on
     * several. Drops them one at a time while the job still fits on the rest (a placement on a copy of
     * {@code onPlan} with only the remaining ones woken); returns the placement found last, reserved on nothing.
     * Bounded to {@link #MAX_REDUCE} woken servers per job: larger jobs keep the engine's choice.
     */
    private PlacementResult.Placed fewerWoken(PlacementState onPlan, JobRequest request, PlacementResult.Placed placed,
                                              Set<Integer> off, Set<Integer> toResume, long seed) {
        ClusterLayout l = onPlan.layout();
        Set<Integer> wake = new java.util.TreeSet<>();
        for (Assignment a : placed.assignments()) {
            int s = l.serverIndex(a.server());
            if (off.contains(s) && !toResume.contains(s)) wake.add(s);
        }
        if (wake.size() < 2 || wake.size() > MAX_REDUCE) return placed;
        for (int w : new ArrayList<>(wake)) {
            Set<Integer> fewer = new HashSet<>(wake);
            fewer.remove(w);
            PlacementResult r = engine.place(onPlan.withReady(fewer), request, seed);
            if (r instanceof PlacementResult.Placed p) {
                wake = fewer;
                placed = p;
                if (wake.size() < 2) break;
            }
        }
        return placed;
    }

    private static final int MAX_REDUCE = 32;

    private static String reason(List<String> waitFor, List<String> blocked, Instant ready) {
        String waiting = waitFor.isEmpty() ? null : "waiting for " + (waitFor.size() == 1 ? "server " : "servers ")
                + names(waitFor) + " to resume (expected ready at " + ready + ")";
        if (blocked.isEmpty()) return waiting;
        String limited = "needs powered-off " + (blocked.size() == 1 ? "server " : "servers ") + names(blocked)
                + "; resume rate limit reached";
        return waiting == null ? limited : limited + "; " + waiting;
    }

    private static String names(List<String> names) {
        if (names.size() <= 5) return String.join(", ", names);
        return String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }

    private List<PowerAction> suspend(PowerInput in, Set<String> needed) {
        PlacementState after = in.after();
        ClusterLayout l = after.layout();
        int idleOn = 0;
        List<PowerServer> candidates = new ArrayList<>();
        for (PowerServer p : in.servers()) {
            int s = l.serverIndex(p.name());
            if (p.power() != PowerState.ON || p.idleSince() == null || s < 0 || !after.serverReady(s) || !after.idle(s)
                    || needed.contains(p.name()))
                continue;
            idleOn++;
            if (!p.idleSince().plus(settings.suspendAfter()).isAfter(in.now())
                    && !settings.excluded(p.name(), p.rack()) && !in.reserved().contains(p.name()))
                candidates.add(p);
        }
        int budget = Math.max(0, settings.maxSuspendPerMinute() - in.suspendsLastMinute());
        int n = Math.min(Math.min(candidates.size(), budget), Math.max(0, idleOn - settings.keepIdleOn()));
        if (n == 0) return List.of();
        candidates.sort(Comparator.comparing(PowerServer::idleSince).thenComparing(PowerServer::name));
        List<PowerAction> out = new ArrayList<>(n);
        for (PowerServer p : candidates.subList(0, n))
            out.add(new PowerAction(p.name(), "suspended: idle since " + p.idleSince()));
        return out;
    }
}
