package io.berth.core.workload;

import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;
import io.berth.core.workload.OnlineWorkload.Entry;
import io.berth.core.workload.OnlineWorkload.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OnlineWorkloadTest {
    private static final TaskGroup ONE_GPU = TaskGroup.single("a", 8_000, 32_768, 1, 1000, Set.of());
    private static final TaskGroup HALF_T4 = TaskGroup.single("b", 4_000, 16_384, 1, 500, Set.of("T4"));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // two observations of A at 0, one of B at t: A's weight 2 x 0.5^(t/10), B's 1
            "same time,          0,  2.0",
            "one half-life,      10, 1.0",
            "two half-lives,     20, 0.5",
    })
    void weightsDecayWithTheHalfLife(String name, double t, double expectedA) {
        var w = new OnlineWorkload(10, 100);
        w.observe(ONE_GPU, 0);
        w.observe(ONE_GPU, 0);
        w.observe(HALF_T4, t);
        var entries = w.snapshot().entries();
        assertThat(weight(entries, Shape.of(ONE_GPU))).isCloseTo(expectedA, within(1e-9));
        assertThat(weight(entries, Shape.of(HALF_T4))).isCloseTo(1.0, within(1e-9));
        assertThat(w.totalWeight()).isCloseTo(expectedA + 1, within(1e-9));
    }

    @Test
    void shapesAreKeyedByEveryFigureAndModelsAsASet() {
        var w = new OnlineWorkload(100, 100);
        w.observe(TaskGroup.single("x", 8_000, 32_768, 1, 1000, Set.of("T4", "A10")), 0);
        w.observe(TaskGroup.single("y", 8_000, 32_768, 1, 1000, Set.of("A10", "T4")), 0); // same shape
        w.observe(TaskGroup.single("z", 8_000, 16_384, 1, 1000, Set.of("A10", "T4")), 0); // other memory
        w.observe(TaskGroup.single("cpu", 2_000, 1_024, 0, 0, Set.of()), 0);
        w.observe(new TaskGroup("gang", 4, 8_000, 32_768, 8, 1000, Set.of(), 0, 0, 0, 0, 4, null, false), 0); // 4 replicas
        List<WeightedShape> typical = w.typical();
        assertThat(typical).hasSize(4);
        assertThat(typical.get(0).weight()).isEqualTo(4000); // the 4-replica gang, in thousandths
        assertThat(typical.get(0).shape().gpuCount()).isEqualTo(8);
        assertThat(typical.get(1).weight()).isEqualTo(2000);
        assertThat(typical.get(1).shape().acceptedModels()).containsExactlyInAnyOrder("A10", "T4");
        assertThat(typical.get(1).shape().memoryMib()).isEqualTo(32_768);
    }

    @Test
    void snapshotRestoresTheSameWorkloadAndLearningContinues() {
        var w = new OnlineWorkload(50, 100);
        for (int i = 0; i < 30; i++) w.observe(i % 3 == 0 ? HALF_T4 : ONE_GPU, i);
        var snap = w.snapshot();
        var back = OnlineWorkload.restore(snap);
        assertThat(back.snapshot()).isEqualTo(snap);
        assertThat(back.typical()).isEqualTo(w.typical());
        w.observe(HALF_T4, 80);
        back.observe(HALF_T4, 80);
        assertThat(back.snapshot()).isEqualTo(w.snapshot());
    }

    @Test
    void boundedByMaxShapesAndForgetsWhatDecayedAway() {
        var w = new OnlineWorkload(1, 2);
        w.observe(ONE_GPU, 0);
        w.observe(ONE_GPU, 0);
        w.observe(HALF_T4, 0);
        w.observe(TaskGroup.single("c", 1_000, 0, 0, 0, Set.of()), 0); // third shape: the lightest (HALF_T4) goes
        assertThat(w.snapshot().entries()).extracting(Entry::shape)
                .containsExactly(Shape.of(ONE_GPU), Shape.of(TaskGroup.single("c", 1_000, 0, 0, 0, Set.of())));
        w.observe(HALF_T4, 20); // 20 half-lives later everything else is under 0.01 and forgotten
        assertThat(w.snapshot().entries()).extracting(Entry::shape).containsExactly(Shape.of(HALF_T4));
        assertThat(w.size()).isEqualTo(1);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new OnlineWorkload(0, 1)).hasMessageContaining("halfLife");
        assertThatThrownBy(() -> new OnlineWorkload(1, 0)).hasMessageContaining("maxShapes");
        assertThatThrownBy(() -> new Shape(1, 0, 0, 0, List.of())).hasMessageContaining("milliPerGpu");
        assertThat(new OnlineWorkload(1, 1).typical()).isEmpty();
    }

    private static double weight(List<Entry> entries, Shape s) {
        return entries.stream().filter(e -> e.shape().equals(s)).findFirst().orElseThrow().weight();
    }
}
