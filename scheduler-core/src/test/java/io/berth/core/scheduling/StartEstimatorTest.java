package io.berth.core.scheduling;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

/** One server of 2 GPUs; "me" asks for both. Expected starts in seconds after T0, or "unknown". */
class StartEstimatorTest {
    private static final PlacementEngine BESTFIT = Profiles.engine("bestfit", PluginSettings.none());

    static Stream<Arguments> cases() {
        QueuedJob me = aJob("me").gpus(2).submittedAt(10).build();
        QueuedJob ahead = aJob("ahead").gpus(2).submittedAt(5).maxRunSeconds(50).build();
        QueuedJob aheadUnbounded = aJob("ahead").gpus(2).submittedAt(5).build();
        return Stream.of(
                arguments("free now", List.of(), List.of(me), "0 s on s1 [0, 1]"),
                // x ends at 100
                arguments("after the holder", List.of(holder("x", "t", 0, 0, 100, "s1", 0, 1)), List.of(me),
                        "100 s on s1 [0, 1]"),
                // x ends at 100, then ahead (older) runs its 50 s: 150
                arguments("after the job ahead", List.of(holder("x", "t", 0, 0, 100, "s1", 0, 1)), List.of(me, ahead),
                        "150 s on s1 [0, 1]"),
                // ahead has no maxRunSeconds: once it runs, nothing says when it ends
                arguments("unbounded job ahead", List.of(holder("x", "t", 0, 0, 100, "s1", 0, 1)),
                        List.of(me, aheadUnbounded), "unknown"),
                arguments("unbounded holder", List.of(holder("x", "t", 0, 0, "s1", 0, 1)), List.of(me), "unknown"),
                // x ends at 100 and one GPU would do: 1 GPU free now, so a 1-GPU job runs at once
                arguments("part of the server is enough", List.of(holder("x", "t", 0, 0, 100, "s1", 0)),
                        List.of(aJob("me").gpus(1).build()), "0 s on s1 [1]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void estimatesTheStart(String name, List<Holder> holders, List<QueuedJob> queue, String expected) {
        var free = ClusterSnapshot.of(inventory(aServer("s1").gpus(2, "H100").build()),
                holders.stream().map(Holder::allocation).toList()).workingCopy();
        var input = new CycleInput(queue, holders, free, Map.of(), new Usage(2000, 64_000), Map.of(), T0, 1L);

        var e = StartEstimator.estimate(new SchedulingCycle(BESTFIT, CyclePolicies.berth(true, 100)), input, "me");

        String got = e.start() == null ? "unknown" : java.time.Duration.between(T0, e.start()).toSeconds() + " s on "
                + e.placement().get(0).server() + " " + e.placement().get(0).gpuIndices();
        assertThat(got).isEqualTo(expected);
        assertThat(free.allocatedGpuMilli()).isEqualTo(holders.stream().mapToLong(h -> 1000L
                * h.allocation().assignments().get(0).gpuIndices().size()).sum()); // input untouched
    }

    /**
     * s1 (2 GPUs) is held by x until 100; s2 (2 GPUs) is powered off and expected back at the given time, or never
     * (no entry). "me" asks for 2 GPUs.
     */
    static Stream<Arguments> serversComingBack() {
        return Stream.of(
                arguments("s2 back before x ends", 40, "40 s on s2 [0, 1]"),
                arguments("x ends before s2 is back", 300, "100 s on s1 [0, 1]"),
                arguments("s2 never expected back", -1, "100 s on s1 [0, 1]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serversComingBack")
    void serversExpectedBackTakeWorkFromThen(String name, int s2BackAfterSeconds, String expected) {
        List<Holder> holders = List.of(holder("x", "t", 0, 0, 100, "s1", 0, 1));
        var free = ClusterSnapshot.of(inventory(aServer("s1").gpus(2, "H100").build(), aServer("s2").gpus(2, "H100").build()),
                holders.stream().map(Holder::allocation).toList()).workingCopy();
        var off = free.withNotReady(java.util.Set.of(free.layout().serverIndex("s2")));
        var input = new CycleInput(List.of(aJob("me").gpus(2).build()), holders, off, Map.of(), new Usage(4000, 128_000),
                Map.of(), T0, 1L);
        Map<String, java.time.Instant> readyAt = s2BackAfterSeconds < 0 ? Map.of()
                : Map.of("s2", T0.plusSeconds(s2BackAfterSeconds), "unknown-server", T0);

        var e = StartEstimator.estimate(new SchedulingCycle(BESTFIT, CyclePolicies.berth(true, 100)), input, "me", readyAt);

        assertThat(java.time.Duration.between(T0, e.start()).toSeconds() + " s on " + e.placement().get(0).server() + " "
                + e.placement().get(0).gpuIndices()).isEqualTo(expected);
        assertThat(off.serverReady(off.layout().serverIndex("s2"))).isFalse(); // input untouched
    }
}
