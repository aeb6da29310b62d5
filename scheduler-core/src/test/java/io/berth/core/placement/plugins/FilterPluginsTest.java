package io.berth.core.placement.plugins;

import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.Fixtures;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.Reason;
import io.berth.core.placement.ReasonKind;
import io.berth.core.placement.TaskGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class FilterPluginsTest {
    private static final FilterResult FITS = FilterResult.FITS;

    private static FilterResult rejected(ReasonKind k, long requested, long free, long capacity) {
        return new FilterResult.Rejected(new Reason(k, "s1", requested, free, capacity));
    }

    /** Pre-existing load on the server before the filter runs. */
    private static Consumer<PlacementState> load(TaskGroup g, int... gpus) {
        return st -> st.reserve(new io.berth.core.placement.Assignment(g.name(), 0, "s1",
                java.util.Arrays.stream(gpus).boxed().toList(), g.milliGpuPerGpu(), g.cpuMillis(), g.memoryMib(),
                g.storageGib(), g.storageMbPerSec(), g.networkMbps()));
    }

    private static final Consumer<PlacementState> EMPTY = st -> {};

    static Stream<Arguments> cases() {
        Server eight = aServer("s1").cpu(64_000).memory(262_144).gpus(8, "H100").build();
        return Stream.of(
                arguments("cpu fits exactly", new CpuFilter(), eight, EMPTY, aGroup("g").cpu(64_000).build(),
                        FITS), // 64000 <= 64000 free
                arguments("cpu short after load", new CpuFilter(), eight, load(aGroup("x").cpu(60_000).build()),
                        aGroup("g").cpu(8_000).build(),
                        rejected(ReasonKind.CPU, 8_000, 4_000, 64_000)), // free = 64000 - 60000 = 4000 < 8000
                arguments("memory short", new MemoryFilter(), eight, EMPTY, aGroup("g").memory(300_000).build(),
                        rejected(ReasonKind.MEMORY, 300_000, 262_144, 262_144)), // 300000 > 262144
                arguments("gpu: CPU-only always fits", new GpuFilter(), aServer("s1").build(), EMPTY,
                        aGroup("g").build(), FITS), // gpuCount 0
                arguments("gpu: too few on server", new GpuFilter(), aServer("s1").gpus(2, "T4").build(), EMPTY,
                        aGroup("g").gpus(4).build(), rejected(ReasonKind.GPU_COUNT, 4, 2, 2)), // 2 GPUs < 4
                arguments("gpu: model not accepted", new GpuFilter(), eight, EMPTY,
                        aGroup("g").gpus(1).models("A100").build(), rejected(ReasonKind.GPU_MODEL, 1, 0, 8)), // 0 of 8 are A100
                arguments("gpu: not enough device memory", new GpuFilter(), aServer("s1").gpus(4, "T4", 16_384).build(),
                        EMPTY, aGroup("g").gpus(1).minGpuMemory(32_768).build(),
                        rejected(ReasonKind.GPU_MEMORY, 1, 0, 4)), // 16384 MiB < 32768 on all 4
                arguments("gpu: shared fits on partly used GPU", new GpuFilter(), aServer("s1").gpus(1, "T4").build(),
                        load(aGroup("x").gpus(1, 600).build(), 0), aGroup("g").gpus(1, 400).build(),
                        FITS), // 1000 - 600 = 400 free >= 400
                arguments("gpu: shared does not fit", new GpuFilter(), aServer("s1").gpus(1, "T4").build(),
                        load(aGroup("x").gpus(1, 700).build(), 0), aGroup("g").gpus(1, 400).build(),
                        rejected(ReasonKind.GPU_FREE, 1, 0, 1)), // 300 free < 400
                arguments("gpu: 4 whole, 3 free", new GpuFilter(), aServer("s1").gpus(4, "T4").build(),
                        load(aGroup("x").gpus(1, 10).build(), 2), aGroup("g").gpus(4).build(),
                        rejected(ReasonKind.GPU_FREE, 4, 3, 4)), // GPU 2 has 990 < 1000: 3 eligible < 4
                arguments("gpu: unhealthy GPU does not count", new GpuFilter(),
                        aServer("s1").gpus(2, "T4").unhealthy(1).build(), EMPTY, aGroup("g").gpus(2).build(),
                        rejected(ReasonKind.GPU_MODEL, 2, 1, 2)), // 1 usable of 2
                arguments("storage capacity short", new StorageFilter(), aServer("s1").disk(500, 2000).build(), EMPTY,
                        aGroup("g").storage(600, 100).build(),
                        rejected(ReasonKind.STORAGE, 600, 500, 500)), // 600 GiB > 500
                arguments("storage bandwidth short", new StorageFilter(), aServer("s1").disk(500, 2000).build(), EMPTY,
                        aGroup("g").storage(100, 2500).build(),
                        rejected(ReasonKind.STORAGE_BANDWIDTH, 2500, 2000, 2000)), // 2500 MB/s > 2000
                arguments("network short", new NetworkFilter(), aServer("s1").network(25_000).build(),
                        load(aGroup("x").network(20_000).build()), aGroup("g").network(10_000).build(),
                        rejected(ReasonKind.NETWORK, 10_000, 5_000, 25_000)), // 25000 - 20000 = 5000 < 10000
                arguments("network unknown is unlimited", new NetworkFilter(), aServer("s1").build(), EMPTY,
                        aGroup("g").network(100_000).build(), FITS), // capacity 0 = not modelled
                arguments("server draining", new ServerReadyFilter(), aServer("s1").state(ServerState.DRAINING).build(),
                        EMPTY, aGroup("g").build(), rejected(ReasonKind.SERVER_NOT_READY, 1, 0, 1)),
                arguments("server ready", new ServerReadyFilter(), eight, EMPTY, aGroup("g").build(), FITS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, FilterPlugin plugin, Server server, Consumer<PlacementState> before, TaskGroup group,
                FilterResult expected) {
        PlacementState st = Fixtures.state(server);
        before.accept(st);
        assertThat(plugin.filter(CycleContext.of(st, group), 0)).isEqualTo(expected);
    }
}
