package io.berth.core.placement.plugins;

import io.berth.core.inventory.Server;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.Fixtures;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.ScorePlugin;
import io.berth.core.placement.TaskGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ScorePluginsTest {
    /** Load already on server s1: the group at the given GPU indices. */
    record Load(TaskGroup group, int... gpus) {
        void apply(PlacementState st) {
            st.reserve(new Assignment(group.name(), 0, "s1", Arrays.stream(gpus).boxed().toList(),
                    group.milliGpuPerGpu(), group.cpuMillis(), group.memoryMib(), 0, 0, 0));
        }
    }

    private static final Server EIGHT = aServer("s1").cpu(64_000).memory(262_144).gpus(8, "H100").build();
    private static final Server TWO_T4 = aServer("s1").cpu(16_000).memory(65_536).gpus(2, "T4").build();
    private static final Server FOUR_T4 = aServer("s1").cpu(16_000).memory(65_536).gpus(4, "T4").build();
    private static final Load NONE = null;
    private static final List<WeightedShape> HALF_GPU = List.of(
            new WeightedShape(TaskGroup.single("t", 0, 0, 1, 500, null), 1));
    private static final List<WeightedShape> ONE_GPU_8_CORES = List.of(
            new WeightedShape(TaskGroup.single("t", 8_000, 0, 1, 1000, null), 1));

    static Stream<Arguments> cases() {
        TaskGroup twoWhole = aGroup("g").cpu(16_000).gpus(2).build();
        return Stream.of(
                arguments("most-allocated, empty server", new MostAllocatedScorer(), EIGHT, NONE, twoWhole, new int[]{0, 1},
                        25L), // cpu 16000/64000 = 25%, gpu 2000/8000 = 25%; (25 + 25) / 2 = 25
                arguments("most-allocated, half used", new MostAllocatedScorer(), EIGHT,
                        new Load(aGroup("x").cpu(32_000).gpus(4).build(), 0, 1, 2, 3), twoWhole, new int[]{4, 5},
                        75L), // cpu 48000/64000 = 75%, gpu 6000/8000 = 75% -> 75
                arguments("most-allocated, CPU-only server", new MostAllocatedScorer(), aServer("s1").cpu(64_000).build(),
                        NONE, aGroup("g").cpu(16_000).build(), new int[0], 25L), // cpu alone: 16000/64000 = 25
                arguments("least-allocated, empty server", new LeastAllocatedScorer(), EIGHT, NONE, twoWhole,
                        new int[]{0, 1}, 75L), // 100 - 25
                arguments("rtc packing shape", new RequestedToCapacityRatioScorer(0, 0, 100, 100), EIGHT, NONE, twoWhole,
                        new int[]{0, 1}, 16L), // cpu 25% -> 25, memory 1024/262144 = 0% -> 0, gpu 25% -> 25; 50 / 3 = 16
                arguments("rtc spreading shape", new RequestedToCapacityRatioScorer(0, 100, 100, 0), EIGHT, NONE, twoWhole,
                        new int[]{0, 1}, 83L), // 75 + 100 + 75 = 250; 250 / 3 = 83
                arguments("gpu-packing, partly used GPU", new GpuPackingScorer(), TWO_T4,
                        new Load(aGroup("x").gpus(1, 300).build(), 0), aGroup("g").gpus(1, 500).build(), new int[]{0},
                        100L), // chosen GPU 0 has 700 free < 1000
                arguments("gpu-packing, whole GPU on partly used server", new GpuPackingScorer(), TWO_T4,
                        new Load(aGroup("x").gpus(1, 300).build(), 0), aGroup("g").gpus(1, 500).build(), new int[]{1},
                        50L), // GPU 1 idle, GPU 0 used
                arguments("gpu-packing, idle server", new GpuPackingScorer(), TWO_T4, NONE,
                        aGroup("g").gpus(1, 500).build(), new int[]{0}, 0L),
                arguments("gpu-packing, CPU-only on server without free GPU", new GpuPackingScorer(), TWO_T4,
                        new Load(aGroup("x").gpus(2).build(), 0, 1), aGroup("g").build(), new int[0], 100L),
                arguments("gpu-best-fit, fills the partly used GPU", new GpuBestFitScorer(), TWO_T4,
                        new Load(aGroup("x").gpus(1, 300).build(), 0), aGroup("g").gpus(1, 500).build(), new int[]{0},
                        80L), // 700 free - 500 = 200 left; 100 - 200 x 100 / 1000 = 80
                arguments("gpu-best-fit, on an idle GPU", new GpuBestFitScorer(), TWO_T4, NONE,
                        aGroup("g").gpus(1, 500).build(), new int[]{1}, 50L), // 1000 - 500 = 500 left -> 50
                arguments("power, idle server", new PowerScorer(), TWO_T4, NONE, aGroup("g").build(), new int[0], 0L),
                arguments("power, busy server", new PowerScorer(), TWO_T4, new Load(aGroup("x").build()),
                        aGroup("g").build(), new int[0], 100L),
                arguments("fgd, no fragmentation growth", new FgdScorer(new FragmentationModel(HALF_GPU)), TWO_T4, NONE,
                        aGroup("g").cpu(0).gpus(1, 500).build(), new int[]{0},
                        50L), // free (500, 1000): no GPU below 500 before or after; d = 0; 100 / (1 + e^0) = 50
                arguments("fgd, leaves 300 unusable", new FgdScorer(new FragmentationModel(HALF_GPU)), TWO_T4, NONE,
                        aGroup("g").cpu(0).gpus(1, 700).build(), new int[]{0},
                        42L), // free (300, 1000): 300 < 500 is fragment; d = 0.3; 100 / (1 + e^0.3) = 42.6
                arguments("fgd, CPU-only task does not see stranding", new FgdScorer(new FragmentationModel(ONE_GPU_8_CORES)),
                        FOUR_T4, NONE, aGroup("g").cpu(8_000).build(), new int[0],
                        50L), // 8000 of 16000 cores left: one more 8-core task fits, no GPU below 1000; d = 0
                arguments("cpu-stranding, CPU-only task strands a GPU", new CpuStrandingScorer(ONE_GPU_8_CORES), FOUR_T4,
                        NONE, aGroup("g").cpu(8_000).build(), new int[0],
                        1L), // 8 cores per GPU; before 4 - 16000/8000 = 2 stranded, after 4 - 8000/8000 = 3; d = 1; 100 / (1 + e^4) = 1.8
                arguments("cpu-stranding, light GPU task unstrands", new CpuStrandingScorer(ONE_GPU_8_CORES), FOUR_T4,
                        NONE, aGroup("g").cpu(4_000).gpus(1).build(), new int[]{0},
                        88L), // after 3 - 12000/8000 = 1.5 stranded; d = -0.5; 100 / (1 + e^-2) = 88.1
                arguments("berth-frag, leaves 300 unusable", new BerthFragScorer(BerthFragScorer.model(HALF_GPU)), TWO_T4,
                        NONE, aGroup("g").cpu(0).gpus(1, 700).build(), new int[]{0},
                        23L), // before 4 copies fill 2000 of 2000; after slots 0 + 2, fill 1000 of 1300 -> d = 0.3; 100 / (1 + e^1.2) = 23.1
                arguments("berth-frag, CPU-only task strands GPUs", new BerthFragScorer(BerthFragScorer.model(ONE_GPU_8_CORES)),
                        FOUR_T4, NONE, aGroup("g").cpu(8_000).build(), new int[0],
                        1L)); // before min(16000/8000, 4) = 2 copies, frag 4000 - 2000 = 2000; after 1 copy, frag 3000; d = 1; 100 / (1 + e^4) = 1.8
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void score(String name, ScorePlugin plugin, Server server, Load load, TaskGroup group, int[] gpus, long expected) {
        PlacementState st = Fixtures.state(server);
        if (load != null) load.apply(st);
        assertThat(plugin.score(CycleContext.of(st, group), 0, gpus)).isEqualTo(expected);
    }
}
