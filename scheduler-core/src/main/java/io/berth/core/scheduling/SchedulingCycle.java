package io.berth.core.scheduling;

import io.berth.core.placement.Assignment;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.scheduling.CycleDecision.Placement;
import io.berth.core.scheduling.CycleDecision.Preemption;
import io.berth.core.scheduling.CycleDecision.Reservation;
import io.berth.core.scheduling.CycleDecision.Wait;
import io.berth.core.scheduling.CycleDecision.WaitKind;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One scheduling cycle as a pure function of its {@link CycleInput}: the control plane's loop and the simulator run
 * the same decisions. In the queue sort's order, each job is checked against its tenant's quota, then placed by the
 * engine on the cycle's working state. A job that does not fit may get lower-priority jobs preempted for it
 * ({@link Preemptor}); otherwise the {@link Backfill} policy decides what happens behind it. A job identical in
 * shape (task groups, tenant, priority) to one that did not fit earlier in the cycle is not tried again: the working
 * state only fills up during a cycle, so it would not fit either.
 *
 * <p>Immutable and thread-safe; each run works on its own copy of the input's state.
 */
public final class SchedulingCycle {
    private final PlacementEngine engine;
    private final CyclePolicies policies;

    public SchedulingCycle(PlacementEngine engine, CyclePolicies policies) {
        this.engine = java.util.Objects.requireNonNull(engine, "engine");
        this.policies = java.util.Objects.requireNonNull(policies, "policies");
    }

    public PlacementEngine engine() {
        return engine;
    }

    public CyclePolicies policies() {
        return policies;
    }

    public CycleDecision run(CycleInput in) {
        PlacementState state = in.free().copy();
        Map<String, Usage> held = new HashMap<>(in.tenantUsage());
        List<QueuedJob> order = policies.queueSort().order(in.queue(), in.tenantUsage(), in.capacity());
        Backfill backfill = policies.backfill();
        Preemptor preemptor = policies.preemptor();
        List<Placement> placements = new ArrayList<>();
        List<Preemption> preemptions = new ArrayList<>();
        List<Reservation> reservations = new ArrayList<>();
        Map<String, Wait> waiting = new LinkedHashMap<>();
        Map<JobRequest, Wait> failedShapes = new HashMap<>();
        Set<String> reserved = new HashSet<>();
        String blockedBy = null; // the first job of the queue that did not fit
        Boolean stopping = null; // any holder stopping, or a preemption decided: read when first needed

        for (QueuedJob job : order) {
            if (backfill == Backfill.NONE && blockedBy != null) {
                waiting.put(job.id(), new Wait(WaitKind.BEHIND_BLOCKED_JOB, "waiting behind job " + blockedBy
                        + ", which does not fit yet", null));
                continue;
            }
            String quota = QuotaCheck.exceeded(in.quotas(), job, held.getOrDefault(job.tenant(), Usage.ZERO));
            if (quota != null) {
                waiting.put(job.id(), new Wait(WaitKind.QUOTA, quota, null));
                continue;
            }
            JobRequest request = job.request();
            JobRequest shape = new JobRequest("", request.tenant(), request.priority(), request.taskGroups());
            Wait knownFailure = failedShapes.get(shape);
            if (knownFailure != null) {
                waiting.put(job.id(), knownFailure);
                continue;
            }
            PlacementResult result = engine.place(state, request, in.seed());
            if (result instanceof PlacementResult.Placed p) {
                if (backfill == Backfill.RESERVATION && usesAny(p.assignments(), reserved)) {
                    p.assignments().forEach(state::release);
                    waiting.put(job.id(), new Wait(WaitKind.BACKFILL, "backfill: would delay a reservation on "
                            + String.join(", ", reserved.stream().sorted().limit(5).toList()), null));
                    continue;
                }
                placements.add(new Placement(job, p.assignments(), blockedBy != null));
                held.merge(job.tenant(), job.demand(), Usage::plus);
                continue;
            }
            PlacementResult.Unschedulable why = (PlacementResult.Unschedulable) result;
            if (preemptor != null && preemptor.mayPreempt(job) && !(stopping == null ? stopping = in.anyStopping() : stopping)) {
                List<Holder> victims = preemptor.victims(engine, state, job, in.holders(), in.seed());
                if (!victims.isEmpty()) {
                    for (Holder v : victims)
                        preemptions.add(new Preemption(v, job.id(),
                                "preempted by job " + job.id() + " (priority " + job.priority() + ")"));
                    stopping = true;
                    waiting.put(job.id(), new Wait(WaitKind.PREEMPTING,
                            "waiting for " + victims.size() + " preempted job(s) to stop", null));
                    continue;
                }
            }
            if (blockedBy == null) {
                blockedBy = job.id();
                if (backfill == Backfill.RESERVATION) {
                    Set<String> servers = Backfill.reservationFor(engine, state, placements, job, in.seed());
                    reserved.addAll(servers);
                    if (!servers.isEmpty())
                        reservations.add(new Reservation(job.id(), servers, expectedStart(servers, in.holders(), in.now())));
                }
            }
            Wait w = new Wait(WaitKind.UNSCHEDULABLE, why.summary(), why);
            waiting.put(job.id(), w);
            failedShapes.put(shape, w);
        }
        return new CycleDecision(placements, preemptions, reservations, waiting, state);
    }

    private static boolean usesAny(List<Assignment> assignments, Set<String> servers) {
        if (servers.isEmpty()) return false;
        for (Assignment a : assignments) if (servers.contains(a.server())) return true;
        return false;
    }

    /** The latest expected end of the holders on {@code servers}; null when one of them has none. */
    private static Instant expectedStart(Set<String> servers, List<Holder> holders, Instant now) {
        Instant latest = now;
        for (Holder h : holders) {
            boolean there = false;
            for (Assignment a : h.allocation().assignments()) if (servers.contains(a.server())) there = true;
            if (!there) continue;
            if (h.expectedEnd() == null) return null;
            if (h.expectedEnd().isAfter(latest)) latest = h.expectedEnd();
        }
        return latest;
    }
}
