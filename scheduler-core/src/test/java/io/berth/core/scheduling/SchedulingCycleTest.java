package io.berth.core.scheduling;

import io.berth.core.inventory.Server;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.berth.core.placement.Fixtures.aServer;
import static io.berth.core.placement.Fixtures.inventory;
import static io.berth.core.scheduling.Jobs.T0;
import static io.berth.core.scheduling.Jobs.aJob;
import static io.berth.core.scheduling.Jobs.holder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Whole cycles on small clusters: what starts, what is reserved or preempted, and why the rest waits. */
class SchedulingCycleTest {
    private static final PlacementEngine BESTFIT = Profiles.engine("bestfit", PluginSettings.none());
    private static final Server BIG = aServer("big").gpus(8, "H100").build();
    private static final Server SMALL = aServer("small").gpus(2, "H100").build();

    /** running (priority 20) holds 4 of big's 8 GPUs until second 600; head needs all 8; two small jobs follow. */
    static Stream<Arguments> backfill() {
        return Stream.of(
                // head reserves big; fits-small runs on small around it; would-delay (3 GPUs) only fits on big
                arguments(Backfill.RESERVATION, """
                        placed fits-small on small [0, 1] backfilled
                        reserved big for head, expected start 600 s
                        wait head UNSCHEDULABLE: 1 server: too few GPUs; 1: not enough free GPU
                        wait would-delay BACKFILL: backfill: would delay a reservation on big"""),
                // nothing held back: both small jobs start, head waits for as long as small jobs keep coming
                arguments(Backfill.GREEDY, """
                        placed fits-small on small [0, 1] backfilled
                        placed would-delay on big [4, 5, 6] backfilled
                        wait head UNSCHEDULABLE: 1 server: too few GPUs; 1: not enough free GPU"""),
                // strict order: nothing overtakes head
                arguments(Backfill.NONE, """
                        wait head UNSCHEDULABLE: 1 server: too few GPUs; 1: not enough free GPU
                        wait fits-small BEHIND_BLOCKED_JOB: waiting behind job head, which does not fit yet
                        wait would-delay BEHIND_BLOCKED_JOB: waiting behind job head, which does not fit yet"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backfill")
    void behindABlockedJob(Backfill backfill, String expected) {
        List<Holder> holders = List.of(holder("running", "t", 20, 0, 600, "big", 0, 1, 2, 3));
        List<QueuedJob> queue = List.of(aJob("head").priority(10).gpus(8).submittedAt(1).build(),
                aJob("fits-small").priority(5).gpus(2).submittedAt(2).build(),
                aJob("would-delay").priority(5).gpus(3).submittedAt(3).build());
        var policies = new CyclePolicies(QueueSort.priorityFifo(), backfill, null);

        assertThat(describe(run(policies, holders, queue, Map.of(), BIG, SMALL))).isEqualTo(expected);
    }

    @Test
    void quotaCountsWhatTheCycleAlreadyPlaced() {
        // q may hold 2 GPUs: q1 takes both, so q2 waits; r has no quota
        List<QueuedJob> queue = List.of(aJob("q1").tenant("q").gpus(2).submittedAt(1).build(),
                aJob("q2").tenant("q").gpus(1).submittedAt(2).build(),
                aJob("r1").tenant("r").gpus(1).submittedAt(3).build());
        var decision = run(CyclePolicies.berth(true, 100), List.of(), queue,
                Map.of("q", new TenantQuota("q", 2000L, null)), BIG);

        assertThat(describe(decision)).isEqualTo("""
                placed q1 on big [0, 1]
                placed r1 on big [2]
                wait q2 QUOTA: tenant q GPU quota: 2000 + 1000 milli-GPU > limit 2000""");
    }

    static Stream<Arguments> preemption() {
        return Stream.of(
                // low holds all of small; urgent (priority 500 >= 100) gets it preempted and waits for it to stop
                arguments("preempts", false, 500, """
                        preempt low for urgent: preempted by job urgent (priority 500)
                        wait urgent PREEMPTING: waiting for 1 preempted job(s) to stop"""),
                // something already stops: its resources come back soon, so nobody is preempted this cycle
                arguments("not while a holder stops", true, 500, """
                        reserved small for urgent, expected start unknown
                        wait urgent UNSCHEDULABLE: 1 server: not enough free GPU"""),
                // below the threshold a job waits like any other
                arguments("not below the threshold", false, 99, """
                        reserved small for urgent, expected start unknown
                        wait urgent UNSCHEDULABLE: 1 server: not enough free GPU"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preemption")
    void preemption(String name, boolean somethingStops, int priority, String expected) {
        List<Holder> holders = new ArrayList<>(List.of(holder("low", "t", 1, 0, "small", 0, 1)));
        if (somethingStops) {
            Holder h = holders.remove(0);
            holders.add(new Holder(h.jobId(), h.tenant(), 200, h.submittedAt(), true, h.allocation(), null));
        }
        List<QueuedJob> queue = List.of(aJob("urgent").priority(priority).gpus(2).build());

        assertThat(describe(run(CyclePolicies.berth(true, 100), holders, queue, Map.of(), SMALL))).isEqualTo(expected);
    }

    @Test
    void aShapeThatDidNotFitIsNotTriedAgainInTheSameCycle() {
        // both ask for 4 GPUs on a 2-GPU cluster: the second gets the first one's answer, engine not asked
        List<QueuedJob> queue = List.of(aJob("a").gpus(4).submittedAt(1).build(), aJob("b").gpus(4).submittedAt(2).build());
        var decision = run(new CyclePolicies(QueueSort.priorityFifo(), Backfill.GREEDY, null), List.of(), queue, Map.of(), SMALL);

        assertThat(decision.waiting().get("b")).isSameAs(decision.waiting().get("a"));
        assertThat(decision.waiting().get("a").unschedulable().jobId()).isEqualTo("a");
    }

    @Test
    void theInputStateIsNotChanged() {
        PlacementState free = ClusterSnapshot.of(inventory(SMALL)).workingCopy();
        var input = new CycleInput(List.of(aJob("a").gpus(2).build()), List.of(), free, Map.of(), new Usage(2000, 64_000),
                Map.of(), T0, 1L);
        new SchedulingCycle(BESTFIT, CyclePolicies.berth(true, 100)).run(input);
        assertThat(free.allocatedGpuMilli()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fifo", "greedy", "berth"})
    void namedPolicies(String name) {
        assertThat(CyclePolicies.named(name)).isNotNull();
    }

    @Test
    void unknownPolicyNamesTheKnownOnes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CyclePolicies.named("slurm"))
                .hasMessage("unknown queue policy 'slurm'; known: [fifo, greedy, berth]");
    }

    private static CycleDecision run(CyclePolicies policies, List<Holder> holders, List<QueuedJob> queue,
                                     Map<String, TenantQuota> quotas, Server... servers) {
        PlacementState free = ClusterSnapshot.of(inventory(servers), holders.stream().map(Holder::allocation).toList())
                .workingCopy();
        Map<String, Usage> usage = new HashMap<>();
        for (Holder h : holders)
            for (Assignment a : h.allocation().assignments())
                usage.merge(h.tenant(), new Usage(a.gpuIndices().size() * 1000L, a.cpuMillis()), Usage::plus);
        long gpus = 0, cpu = 0;
        for (Server s : servers) {
            gpus += 1000L * s.gpuCount();
            cpu += s.cpuMillis();
        }
        return new SchedulingCycle(BESTFIT, policies).run(new CycleInput(queue, holders, free, usage,
                new Usage(gpus, cpu), quotas, T0, 1L));
    }

    /** One line per placement, reservation, preemption and waiting job, in decision order. */
    static String describe(CycleDecision d) {
        List<String> lines = new ArrayList<>();
        for (CycleDecision.Placement p : d.placements()) {
            StringBuilder sb = new StringBuilder("placed " + p.job().id() + " on");
            for (Assignment a : p.assignments()) sb.append(' ').append(a.server()).append(' ').append(a.gpuIndices());
            if (p.backfilled()) sb.append(" backfilled");
            lines.add(sb.toString());
        }
        for (CycleDecision.Reservation r : d.reservations())
            lines.add("reserved " + String.join(",", new java.util.TreeSet<>(r.servers())) + " for " + r.jobId()
                    + ", expected start " + (r.expectedStart() == null ? "unknown"
                    : java.time.Duration.between(T0, r.expectedStart()).toSeconds() + " s"));
        for (CycleDecision.Preemption p : d.preemptions())
            lines.add("preempt " + p.victim().jobId() + " for " + p.forJobId() + ": " + p.reason());
        d.waiting().forEach((id, w) -> lines.add("wait " + id + " " + w.kind() + ": " + w.reason()));
        return String.join("\n", lines);
    }
}
