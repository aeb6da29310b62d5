package io.berth.core.scheduling;

import io.berth.core.inventory.Server;
import io.berth.core.placement.Allocation;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.berth.core.placement.Fixtures.aServer;
import static io.berth.core.placement.Fixtures.inventory;
import static io.berth.core.scheduling.Jobs.aJob;
import static io.berth.core.scheduling.Jobs.holder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Victims are whole lower-priority jobs, lowest priority and newest first, as few as the engine says suffice. */
class PreemptorTest {
    private static final PlacementEngine BESTFIT = Profiles.engine("bestfit", PluginSettings.none());
    private static final Server[] ONE_4GPU = {aServer("s1").gpus(4, "H100").build()};
    private static final Server[] TWO_2GPU = {aServer("s1").gpus(2, "H100").build(), aServer("s2").gpus(2, "H100").build()};

    static Stream<Arguments> cases() {
        Holder lowOld = holder("low-old", "t", 1, 1, "s1", 0, 1);
        Holder lowNew = holder("low-new", "t", 1, 2, "s1", 2, 3);
        return Stream.of(
                // 2 GPUs free up by stopping either; the newer one loses less work
                arguments("newest of the lowest priority", ONE_4GPU, List.of(lowOld, lowNew), 10, 2,
                        List.of("low-new")),
                // all 4 GPUs: both, newest taken first
                arguments("as many as needed", ONE_4GPU, List.of(lowOld, lowNew), 10, 4, List.of("low-new", "low-old")),
                // priority 0 goes before priority 1 even though it is older
                arguments("lowest priority first", ONE_4GPU,
                        List.of(holder("p0", "t", 0, 1, "s1", 0, 1), holder("p1", "t", 1, 2, "s1", 2, 3)), 10, 2,
                        List.of("p0")),
                // the priority-20 job is not a candidate, and the priority-1 one alone leaves only 2 GPUs
                arguments("never a higher or equal priority", ONE_4GPU,
                        List.of(holder("high", "t", 20, 1, "s1", 0, 1), holder("equal", "t", 10, 1, "s1", 2, 3)), 10, 2,
                        List.of()),
                // a (newest) is taken first but does not free a whole server; with b it fits; then a turns out unneeded
                arguments("unneeded victims are dropped again", TWO_2GPU,
                        List.of(holder("a", "t", 0, 9, "s1", 0), holder("c", "t", 0, 1, "s1", 1),
                                holder("b", "t", 0, 5, "s2", 0, 1)), 10, 2, List.of("b")),
                // a stopping holder gives its GPUs back anyway: not a victim
                arguments("stopping holders are not candidates", ONE_4GPU,
                        List.of(stopping(lowOld), lowNew), 10, 4, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void choosesVictims(String name, Server[] servers, List<Holder> holders, int priority, int gpus, List<String> expected) {
        PlacementState state = ClusterSnapshot.of(inventory(servers),
                holders.stream().map(Holder::allocation).toList()).workingCopy();
        PlacementState before = state.copy();
        QueuedJob job = aJob("urgent").priority(priority).gpus(gpus).build();

        List<Holder> victims = new Preemptor(5).victims(BESTFIT, state, job, holders, 1L);

        assertThat(victims.stream().map(Holder::jobId).toList()).isEqualTo(expected);
        for (int g = 0; g < state.layout().gpuCount(); g++) assertThat(state.gpuFree(g)).isEqualTo(before.gpuFree(g));
    }

    @ParameterizedTest(name = "priority {0} with threshold 100: may preempt = {1}")
    @org.junit.jupiter.params.provider.CsvSource({"99, false", "100, true", "500, true"})
    void onlyJobsFromTheThresholdPreempt(int priority, boolean expected) {
        assertThat(new Preemptor(100).mayPreempt(aJob("j").priority(priority).build())).isEqualTo(expected);
    }

    private static Holder stopping(Holder h) {
        Allocation a = h.allocation();
        return new Holder(h.jobId(), h.tenant(), h.priority(), h.submittedAt(), true, a, h.expectedEnd());
    }
}
