package io.berth.core.placement.plugins;

import io.berth.core.placement.Assignment;
import io.berth.core.placement.Fixtures;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;

class FragmentationModelTest {
    /**
     * Server: 16 cores, 4 T4, GPU free milli (1000, 1000, 300, 0) after loading 700 on GPU 2 and 1000 on GPU 3.
     * Shapes, weight 1 each: A = 8 cores 1 x 500, B = 8 cores 2 x 1000, C = 32 cores 1 x 1000, D = CPU-only 4 cores.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // FGD: A fits, GPUs below 500 hold 300 + 0 -> 300; B fits, GPUs below 1000 -> 300; C lacks CPU -> all 2300;
            // D is CPU-only: every idle milli counts -> 2300
            "fgd one-task view, false, 5200",
            // fill: A min(16000/8000, 2+2+0+0 slots) = 2 copies = 1000 used of 2300 -> 1300; B min(2, 2 whole / 2 = 1) = 1 copy -> 300; C 2300; D 0
            "berth fill view,   true,  3900"
    })
    void weightedFragmentation(String name, boolean saturating, long expected) {
        PlacementState st = Fixtures.state(aServer("s1").cpu(16_000).memory(65_536).gpus(4, "T4").build());
        st.reserve(new Assignment("x", 0, "s1", List.of(2), 700, 0, 0, 0, 0, 0));
        st.reserve(new Assignment("y", 0, "s1", List.of(3), 1000, 0, 0, 0, 0, 0));
        var model = new FragmentationModel(List.of(
                new WeightedShape(TaskGroup.single("A", 8_000, 0, 1, 500, null), 1),
                new WeightedShape(TaskGroup.single("B", 8_000, 0, 2, 1000, null), 1),
                new WeightedShape(TaskGroup.single("C", 32_000, 0, 1, 1000, null), 1),
                new WeightedShape(TaskGroup.single("D", 4_000, 0, 0, 0, null), 1)), saturating);
        assertThat(model.weighted(st, 0)).isEqualTo(expected);
    }

    /**
     * The authors' rule for CPU-only typical shapes (GetNodePodFrag: "satisfied" or "lack CPU", both summed by
     * FragAmountSumExceptQ3): every idle milli-GPU of the server is fragment, whether the shape fits on CPU or not.
     * One CPU-only shape of 4 cores, weight 1; servers of 8 cores and 4 GPUs with the given load.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // fits on CPU; idle 1000 + 1000 + 1000 + 1000
            "idle server,                  0,    0,    0,    4000",
            // fits on CPU; idle 1000 + 1000 + 500 + 0
            "partly used GPUs,             0,    500,  1000, 2500",
            // 6 of 8 cores used: lacks CPU; idle 4000 all the same
            "lacks CPU,                    6000, 0,    0,    4000",
            // every GPU full: nothing idle, nothing fragmented
            "no idle GPU,                  0,    1000, 4000, 0",
    })
    void cpuOnlyShapesCountEveryIdleGpu(String name, long cpuUsed, int milliOnGpu2, int milliOnOthers, long expected) {
        PlacementState st = Fixtures.state(aServer("s1").cpu(8_000).memory(65_536).gpus(4, "T4").build());
        if (cpuUsed > 0) st.reserve(new Assignment("cpu", 0, "s1", List.of(), 0, cpuUsed, 0, 0, 0, 0));
        if (milliOnGpu2 > 0) st.reserve(new Assignment("g2", 0, "s1", List.of(2), milliOnGpu2, 0, 0, 0, 0, 0));
        if (milliOnOthers >= 1000)
            st.reserve(new Assignment("g3", 0, "s1", milliOnOthers == 4000 ? List.of(0, 1, 3) : List.of(3), 1000, 0, 0, 0, 0, 0));
        var shape = List.of(new WeightedShape(TaskGroup.single("D", 4_000, 0, 0, 0, null), 1));
        assertThat(new FragmentationModel(shape, false).weighted(st, 0)).isEqualTo(expected);
        // Berth's fill view keeps counting nothing for a CPU-only shape that fits
        assertThat(new FragmentationModel(shape, true).weighted(st, 0)).isEqualTo(cpuUsed > 4_000 ? expected : 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // shape accepts only V100: on a T4 server every free milli is fragment: 1000 + 1000
            "model not accepted, V100, 2000",
            // any model: fits, no GPU below 1000 -> 0
            "model accepted,     T4,   0"
    })
    void modelAcceptance(String name, String model, long expected) {
        PlacementState st = Fixtures.state(aServer("s1").gpus(2, "T4").build());
        var fm = new FragmentationModel(List.of(new WeightedShape(
                TaskGroup.single("A", 0, 0, 1, 1000, java.util.Set.of(model)), 1)));
        assertThat(fm.weighted(st, 0)).isEqualTo(expected);
    }
    /**
     * Home scarcity (Berth's fill view): a GPU shape weighs (R / H)^2 times its count, R = the GPUs on servers with at
     * least its GPU count, H = the GPUs on servers that could hold one copy when empty. Cluster: a and b (96 cores,
     * 384 GiB, 8 X), c (128 cores, 768 GiB, 8 X), d (32 cores, 64 GiB, 2 Y): R = 24 for 8 GPUs, 26 for 1. Measured on
     * c with one GPU taken (7 free, all CPU and memory free); one shape of count 100 each time.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // homes a, b, c: H = R = 24, the weight stays 100; 8 GPUs do not fit in 7: all 7000 count
            "8 GPUs that fit every 8-GPU server, 64000,  0,      8, '', 700000,  700000",
            // only c has the cores: H = 8, weight 100 x (24/8)^2 = 900
            "8 GPUs that only c has CPU for,     100000, 0,      8, '', 700000,  6300000",
            // only c has the memory: H = 8 again
            "8 GPUs that only c has memory for,  64000,  600000, 8, '', 700000,  6300000",
            // fits c once (CPU): 6000 left over; H = 8, R = 26: weight 100 x (26/8)^2 = 1056.25 -> 1056
            "1 GPU that only c has CPU for,      100000, 0,      1, '', 600000,  6336000",
            // only d's 2 Y GPUs accept it: H = 2, weight 100 x 13^2 = 16900; on c (X) all 7000 count
            "1 GPU of a model only d has,        0,      0,      1, Y,  700000,  118300000",
            // no server can hold it: the weight stays 100
            "8 GPUs that no server has CPU for,  200000, 0,      8, '', 700000,  700000",
            // fits c with every free GPU used: nothing fragmented whatever the weight
            "1 GPU that fits everywhere,         4000,   0,      1, '', 0,       0",
    })
    void homeScarcityWeighsShapesWithFewHomes(String name, long cpu, long memory, int gpus, String model,
                                              long plain, long withHomes) {
        PlacementState st = Fixtures.state(
                aServer("a").cpu(96_000).memory(393_216).gpus(8, "X").build(),
                aServer("b").cpu(96_000).memory(393_216).gpus(8, "X").build(),
                aServer("c").cpu(128_000).memory(786_432).gpus(8, "X").build(),
                aServer("d").cpu(32_000).memory(65_536).gpus(2, "Y").build());
        st.reserve(new Assignment("x", 0, "c", List.of(0), 1000, 0, 0, 0, 0, 0));
        int c = st.layout().serverIndex("c");
        var shape = List.of(new WeightedShape(TaskGroup.single("s", cpu, memory, gpus, 1000,
                model.isEmpty() ? null : java.util.Set.of(model)), 100));
        assertThat(new FragmentationModel(shape, true, false).weighted(st, c)).isEqualTo(plain);
        var homes = new FragmentationModel(shape, true, true);
        assertThat(homes.weighted(st, c)).isEqualTo(withHomes);
        assertThat(homes.totalWeight()).isEqualTo(100); // the plain count: figures of shapes that fit anywhere unchanged
    }

    @org.junit.jupiter.api.Test
    void homeScarcityNeedsTheFillView() {
        var shape = List.of(new WeightedShape(TaskGroup.single("s", 0, 0, 1, 1000, null), 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FragmentationModel(shape, false, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fill view");
    }

    /**
     * The figure remembered in a state by its inputs is the computed one, for a mixed-model cluster's servers over
     * many contents (more than the cache holds, so it is also emptied and refilled on the way), in both views.
     */
    @ParameterizedTest(name = "saturating {0}")
    @CsvSource({"false", "true"})
    void rememberedFigureIsTheComputedOne(boolean saturating) {
        PlacementState st = Fixtures.state(
                aServer("a").cpu(32_000).memory(262_144).gpus(4, "T4").build(),
                aServer("b").cpu(64_000).memory(524_288).gpus(8, "A100").build());
        var model = new FragmentationModel(List.of(
                new WeightedShape(TaskGroup.single("share", 4_000, 16_384, 1, 300, null), 5),
                new WeightedShape(TaskGroup.single("t4", 8_000, 32_768, 1, 1000, java.util.Set.of("T4")), 2),
                new WeightedShape(TaskGroup.single("pair", 16_000, 65_536, 2, 1000, null), 1),
                new WeightedShape(TaskGroup.single("cpu", 2_000, 4_096, 0, 0, null), 1)), saturating);
        var rnd = new java.util.Random(5);
        for (int i = 0; i < FragmentationModel.CACHED + 20_000; i++) {
            int s = rnd.nextInt(2), n = s == 0 ? 4 : 8;
            int[] free = new int[n];
            for (int j = 0; j < n; j++) free[j] = 100 * rnd.nextInt(11);
            long cpu = 1_000L * rnd.nextInt(40), memory = 8_192L * rnd.nextInt(70);
            assertThat(model.weighted(st, s, cpu, memory, free))
                    .isEqualTo(model.weighted(st.layout(), s, cpu, memory, free));
        }
    }
}
