package io.berth.core.placement.plugins;

import io.berth.core.placement.Assignment;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.Fixtures;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;

class ModelScarcityScorerTest {
    /**
     * Server 0: 4 T4, server 1: 4 G2. Typical workload: a T4-only 1-GPU shape and an unconstrained 1-GPU shape,
     * weight 1 each, so T4-only work is half of all demand. With T4 holding half the free GPUs its pressure is
     * min(1, 0.5 / 0.5) = 1; with 2 of its GPUs taken (a third of the free GPUs) also 1; G2's pressure is 0.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // an unconstrained task on T4 costs 1 GPU of pressure: floor(100 / (1 + e^4)) = 1; on G2 nothing
            "any model on T4,           '',    0, false, 1",
            "any model on G2,           '',    1, false, 50",
            // a task that accepts only T4 is never penalised for using T4
            "T4-only on T4,             T4,    0, false, 50",
            // half a GPU of T4 costs 0.5: floor(100 / (1 + e^2)) = 11
            "half GPU any model on T4,  '',    0, true,  11",
    })
    void scarceModelsAreKeptForTheWorkThatNeedsThem(String name, String model, int server, boolean half, long expected) {
        PlacementState st = Fixtures.state(aServer("t4").gpus(4, "T4").build(), aServer("g2").gpus(4, "G2").build());
        var scorer = new ModelScarcityScorer(List.of(
                new WeightedShape(TaskGroup.single("t4-only", 1_000, 0, 1, 1000, Set.of("T4")), 1),
                new WeightedShape(TaskGroup.single("any", 1_000, 0, 1, 1000, Set.of()), 1)));
        var task = TaskGroup.single("x", 1_000, 0, 1, half ? 500 : 1000, model.isEmpty() ? Set.of() : Set.of(model));
        int gpu = st.layout().gpuStart(server);
        assertThat(scorer.score(CycleContext.of(st, task), server, new int[]{gpu})).isEqualTo(expected);
        st.reserve(new Assignment("y", 0, "t4", List.of(2, 3), 1000, 0, 0, 0, 0, 0));
        assertThat(scorer.score(CycleContext.of(st, task), server, new int[]{gpu})).as("pressure stays 1").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"no constrained shapes", "CPU-only task"})
    void neutralWithoutConstrainedDemandOrGpus(String name) {
        PlacementState st = Fixtures.state(aServer("t4").gpus(4, "T4").build(), aServer("g2").gpus(4, "G2").build());
        boolean cpuOnly = name.startsWith("CPU");
        var scorer = new ModelScarcityScorer(List.of(new WeightedShape(
                TaskGroup.single("s", 1_000, 0, 1, 1000, cpuOnly ? Set.of("T4") : Set.of()), 1)));
        var task = TaskGroup.single("x", 1_000, 0, cpuOnly ? 0 : 1, cpuOnly ? 0 : 1000, Set.of());
        assertThat(scorer.score(CycleContext.of(st, task), 0, cpuOnly ? new int[0] : new int[]{0})).isEqualTo(50);
    }
}
