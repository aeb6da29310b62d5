package io.berth.core.placement;

import io.berth.core.inventory.ServerState;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static io.berth.core.placement.Fixtures.inventory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementEngineTest {
    private final PlacementEngine bestfit = Profiles.engine("bestfit", PluginSettings.none());

    @Test
    void bestFitPicksTheFullestServerAndNamesTheGpus() {
        var snapshot = ClusterSnapshot.of(inventory(
                aServer("empty").gpus(8, "H100").build(),
                aServer("busy").gpus(8, "H100").build()),
                List.of(new Allocation("old", 0, List.of(new Assignment("g", 0, "busy", List.of(0, 1, 2), 1000, 1000, 1024, 0, 0, 0)))));
        var st = snapshot.workingCopy();
        var result = bestfit.place(st, aGroup("g").cpu(2000).memory(2048).gpus(2).job("j1"), 1L);
        // busy: GPUs 0-2 taken, so the two lowest free whole GPUs are 3 and 4
        assertThat(result).isEqualTo(new PlacementResult.Placed("j1", List.of(
                new Assignment("g", 0, "busy", List.of(3, 4), 1000, 2000, 2048, 0, 0, 0))));
        assertThat(st.gpuFree(snapshot.layout().globalGpu(1, 3))).isZero();
        assertThat(snapshot.workingCopy().gpuFree(snapshot.layout().globalGpu(1, 3))).isEqualTo(1000); // snapshot untouched
    }

    /** Every candidate ties under "random" (no scorers): PACKING sends the job to the fullest server on every seed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"RANDOM, 3", "PACKING, 1"})
    void tieBreakChoosesAmongEqualScores(Profile.TieBreak tieBreak, int distinctServersOverSeeds) {
        var snapshot = ClusterSnapshot.of(inventory(
                aServer("a").gpus(8, "H100").build(),
                aServer("busy").gpus(8, "H100").build(),
                aServer("c").gpus(8, "H100").build()),
                List.of(new Allocation("old", 0, List.of(new Assignment("g", 0, "busy", List.of(0, 1), 1000, 1000, 1024, 0, 0, 0)))));
        var engine = BuiltinPlugins.registry().engine(Profiles.named("random").withTieBreak(tieBreak), PluginSettings.none());
        var chosen = new java.util.HashSet<String>();
        for (long seed = 0; seed < 40; seed++) {
            var placed = (PlacementResult.Placed) engine.place(snapshot.workingCopy(), aGroup("g").cpu(1000).gpus(1).job("j"), seed);
            chosen.add(placed.assignments().get(0).server());
        }
        assertThat(chosen).hasSize(distinctServersOverSeeds);
        if (tieBreak == Profile.TieBreak.PACKING) assertThat(chosen).containsExactly("busy");
    }

    @Test
    void sharedGpuGoesToThePartlyUsedGpuWhenPacking() {
        var snapshot = ClusterSnapshot.of(inventory(aServer("s").gpus(2, "T4").build()),
                List.of(new Allocation("old", 0, List.of(new Assignment("g", 0, "s", List.of(1), 500, 0, 0, 0, 0, 0)))));
        var gp = Profiles.engine("gpupacking", PluginSettings.none());
        var result = (PlacementResult.Placed) gp.place(snapshot.workingCopy(), aGroup("g").gpus(1, 400).job("j"), 7L);
        assertThat(result.assignments().get(0).gpuIndices()).containsExactly(1); // 500 free on GPU 1, shared
    }

    @Test
    void whyNotSummarisesReasonsAcrossServers() {
        var servers = new java.util.ArrayList<io.berth.core.inventory.Server>();
        for (int i = 0; i < 1180; i++) servers.add(aServer("h" + i).gpus(8, "H100", 40_960).build());
        for (int i = 0; i < 33; i++) servers.add(aServer("t" + i).gpus(4, "T4", 16_384).build());
        var snapshot = ClusterSnapshot.of(inventory(servers.toArray(io.berth.core.inventory.Server[]::new)));
        var result = bestfit.place(snapshot.workingCopy(),
                aGroup("train").gpus(1).models("H100", "A100").minGpuMemory(81_920).job("big"), 1L);
        var u = (PlacementResult.Unschedulable) result;
        assertThat(u.summary()).isEqualTo("1,180 servers: not enough GPU memory; 33: GPU model not accepted");
        assertThat(u.serversByReason()).containsExactly(Map.entry(ReasonKind.GPU_MEMORY, 1180), Map.entry(ReasonKind.GPU_MODEL, 33));
        assertThat(u.sample().get(0)).isEqualTo(new Reason(ReasonKind.GPU_MEMORY, "h0", 1, 0, 8));
    }

    @Test
    void canEverFitIgnoresLoadAndStateButNotHardware() {
        var snapshot = ClusterSnapshot.of(inventory(aServer("s").state(ServerState.DRAINING).gpus(4, "T4").build()),
                List.of(new Allocation("old", 0, List.of(new Assignment("g", 0, "s", List.of(0, 1, 2, 3), 1000, 0, 0, 0, 0, 0)))));
        assertThat(bestfit.canEverFit(snapshot, aGroup("g").gpus(4).job("j"))).isInstanceOf(PlacementResult.Placed.class);
        assertThat(bestfit.canEverFit(snapshot, aGroup("g").gpus(8).job("j")))
                .isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                        u -> assertThat(u.summary()).isEqualTo("the job needs 8 GPUs and the cluster has 4 GPUs"));
        // now: not ready, and (every reason that applies) its GPUs are taken
        assertThat(bestfit.place(snapshot.workingCopy(), aGroup("g").gpus(1).job("j"), 0L))
                .isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                        u -> assertThat(u.summary()).isEqualTo("1 server: server not ready; 1: not enough free GPU"));
    }

    /** Can-ever-fit checks the cluster's totals before any server, and says the arithmetic. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // 25 x 4 = 100 GPUs wanted, 2 x 8 = 16 in the cluster
            "too many GPUs      | 25 | 4 |      |   1000 | the job needs 100 GPUs (25 replicas x 4 GPUs) and the cluster has 16 GPUs",
            // 3 x 4 = 12 A100 wanted; only a100-1's 8 are A100 (16 GPUs in all would be enough)
            "too few of a model | 3  | 4 | A100 |   1000 | the job needs 12 GPUs (3 replicas x 4 GPUs) of model A100 and the cluster has 8 GPUs",
            // 3 x 50,000 = 150,000 millicores wanted, 2 x 64,000 = 128,000 in the cluster
            "too much CPU       | 3  | 1 |      |  50000 | the job needs 150,000 millicores of CPU and the cluster has 128,000",
            // both: 20 x 1 = 20 GPUs > 16 and 20 x 50,000 millicores > 128,000
            "GPU and CPU        | 20 | 1 |      |  50000 | the job needs 20 GPUs (20 replicas x 1 GPU) and the cluster has 16 GPUs; the job needs 1,000,000 millicores of CPU and the cluster has 128,000"
    })
    void canEverFitSaysWhatTheWholeClusterLacks(String name, int replicas, int gpus, String model, long cpu,
                                                String summary) {
        var snapshot = ClusterSnapshot.of(inventory(aServer("a100-1").gpus(8, "A100").build(),
                aServer("h100-1").gpus(8, "H100").build()));
        var group = aGroup("trainer").replicas(replicas).gpus(gpus).cpu(cpu);
        if (model != null) group.models(model);
        var result = bestfit.canEverFit(snapshot, group.job("big"));
        assertThat(result).isInstanceOfSatisfying(PlacementResult.Unschedulable.class, u -> {
            assertThat(u.summary()).isEqualTo(summary);
            assertThat(u.taskGroup()).isEqualTo("trainer");
            assertThat(u.sample()).allSatisfy(r -> assertThat(r.server()).isNull());
        });
    }

    @Test
    void aWholeClusterReasonCarriesTheTotals() {
        var snapshot = ClusterSnapshot.of(inventory(aServer("a").gpus(8, "A100").build(), aServer("b").gpus(8, "A100").build()));
        var u = (PlacementResult.Unschedulable) bestfit.canEverFit(snapshot, aGroup("t").replicas(25).gpus(4).job("j"));
        // 25 x 4 x 1000 milli-GPU wanted, 16 x 1000 in the cluster
        assertThat(u.sample()).containsExactly(new Reason(ReasonKind.CLUSTER_GPU, null, 100_000, 16_000, 16_000));
        assertThat(u.sample().get(0).describe())
                .isEqualTo("the cluster has too few GPUs (requested 100 GPUs, the cluster has 16 GPUs)");
        // a job that fits the totals still gets the per-server answer: 2 x 12 GPUs do not fit on 8-GPU servers
        var perServer = (PlacementResult.Unschedulable) bestfit.canEverFit(snapshot, aGroup("t").replicas(1).gpus(12).job("j"));
        assertThat(perServer.summary()).isEqualTo("2 servers: too few GPUs");
        assertThat(perServer.sample().get(0).describe()).isEqualTo("too few GPUs (requested 12, capacity 8 on a)");
    }

    /**
     * Servers out of service only because no agent is connected say so, and every reason of a server is listed: the
     * missing agent does not hide that the GPU model is wrong too.
     */
    @Test
    void whyNotListsEveryReasonOfEveryServerAndNamesAMissingAgent() {
        var inventory = inventory(aServer("a100-1").state(ServerState.NOT_READY).gpus(8, "A100").build(),
                aServer("h100-1").state(ServerState.NOT_READY).gpus(8, "H100").build(),
                aServer("h100-2").state(ServerState.DOWN).gpus(8, "H100").build());
        var snapshot = ClusterSnapshot.of(new ClusterLayout(inventory, java.util.Set.of("a100-1", "h100-1")), List.of());
        var u = (PlacementResult.Unschedulable) bestfit.place(snapshot.workingCopy(),
                aGroup("g").gpus(1).models("A100").job("j"), 0L);
        // a100-1: no agent; h100-1: no agent and wrong model; h100-2: down and wrong model
        assertThat(u.serversByReason()).containsExactly(Map.entry(ReasonKind.NO_AGENT, 2),
                Map.entry(ReasonKind.GPU_MODEL, 2), Map.entry(ReasonKind.SERVER_NOT_READY, 1));
        assertThat(u.summary()).isEqualTo("2 servers: no agent connected; 2: GPU model not accepted; 1: server not ready");
    }

    @Test
    void whatIfReleasesOnACopy() {
        var snapshot = ClusterSnapshot.of(inventory(aServer("s").gpus(2, "T4").build()),
                List.of(new Allocation("low", 1, List.of(new Assignment("g", 0, "s", List.of(0, 1), 1000, 0, 0, 0, 0, 0)))));
        var job = aGroup("g").gpus(2).job("high");
        assertThat(bestfit.place(snapshot.workingCopy(), job, 0L)).isInstanceOf(PlacementResult.Unschedulable.class);
        assertThat(bestfit.whatIf(snapshot, job, List.of("low"), 0L)).isInstanceOf(PlacementResult.Placed.class);
        assertThat(snapshot.workingCopy().gpuFreeMilli(0)).isZero(); // the snapshot still holds "low"
        assertThatThrownBy(() -> bestfit.whatIf(snapshot, job, List.of("nope"), 0L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    @Test
    void sameSeedSameChoice() {
        var servers = new io.berth.core.inventory.Server[50];
        for (int i = 0; i < servers.length; i++) servers[i] = aServer("s" + i).gpus(8, "H100").build();
        var snapshot = ClusterSnapshot.of(inventory(servers));
        var random = Profiles.engine("random", PluginSettings.none());
        var job = aGroup("g").gpus(1).job("j");
        var first = random.place(snapshot.workingCopy(), job, 99L);
        for (int i = 0; i < 5; i++) assertThat(random.place(snapshot.workingCopy(), job, 99L)).isEqualTo(first);
    }

    @Test
    void powerReportListsIdleReadyServers() {
        var st = Fixtures.state(aServer("a").power(300, 900).build(), aServer("b").power(250, 800).build(),
                aServer("c").power(400, 900).state(ServerState.DOWN).build());
        bestfit.place(st, aGroup("g").cpu(1000).job("j"), 0L);
        var report = PowerReport.of(st);
        assertThat(report.wattsSaved()).isEqualTo(report.idleServers().get(0).idleWatts()); // one of a, b is busy
        assertThat(report.idleServers()).hasSize(1);
    }

    @Test
    void powerScorerPrefersBusyServers() {
        var engine = BuiltinPlugins.registry().engine(new Profile("power", Profiles.FILTERS, Map.of("power", 1), 0),
                PluginSettings.none());
        var st = Fixtures.state(aServer("a").build(), aServer("b").build(), aServer("c").build());
        var first = (PlacementResult.Placed) engine.place(st, aGroup("g").job("j1"), 5L);
        for (int i = 2; i < 10; i++) {
            var next = (PlacementResult.Placed) engine.place(st, aGroup("g").job("j" + i), i);
            assertThat(next.assignments().get(0).server()).isEqualTo(first.assignments().get(0).server());
        }
        assertThat(PowerReport.of(st).idleServers()).hasSize(2);
    }

    /** Existing allocations that cannot be true of the cluster are refused when the snapshot is built. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "repeated GPU      | s | 1,1 | 100 | 1 | repeated GPU index",
            "unknown GPU       | s | 2   | 100 | 1 | no GPU 2 on s",
            "unknown server    | x | 0   | 100 | 1 | unknown server x",
            "GPU over-commit   | s | 0   | 700 | 2 | milliGpu on s would become -400",
            "CPU over-commit   | s | 0   | 100 | 9 | cpuMillis on s would become",
            "same job twice    | s | 0   | 100 | 0 | duplicate allocation a"
    })
    void impossibleAllocationsAreRefused(String name, String server, String gpus, int milliGpu, int copies,
                                         String message) {
        var inventory = inventory(aServer("s").cpu(8_000).gpus(2, "T4").build());
        List<Integer> indices = java.util.Arrays.stream(gpus.split(",")).map(Integer::valueOf).toList();
        // copies > 0: that many jobs with one 1,000-milli-CPU worker each; 0: two allocations of one job id
        List<Allocation> allocations = new java.util.ArrayList<>();
        for (int i = 0; i < (copies == 0 ? 2 : copies); i++) {
            allocations.add(new Allocation(copies == 0 ? "a" : "a" + i, 0,
                    List.of(new Assignment("g", 0, server, indices, milliGpu, 1000, 0, 0, 0, 0))));
        }
        assertThatThrownBy(() -> ClusterSnapshot.of(inventory, allocations)).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown scorer | nope:1           | unknown scorer 'nope'",
            "zero weight    | most-allocated:0 | weight of scorer 'most-allocated' must be 1..10000, was 0",
            "huge weight    | fgd:20000        | weight of scorer 'fgd' must be 1..10000, was 20000",
            "weight not a number | fgd:x       | weight of fgd is not an integer: 'x'"
    })
    void badProfilesFailAtStartUp(String name, String spec, String message) {
        assertThatThrownBy(() -> Profiles.engine(spec, PluginSettings.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void unknownFilterAndMissingWorkloadFailAtStartUp() {
        var registry = BuiltinPlugins.registry();
        assertThatThrownBy(() -> registry.engine(new Profile("p", List.of("cpu", "gpus"), Map.of(), 0), PluginSettings.none()))
                .hasMessageContaining("unknown filter 'gpus'");
        assertThatThrownBy(() -> Profiles.engine("fgd", PluginSettings.none()))
                .hasMessageContaining("typicalWorkload");
        assertThatThrownBy(() -> Profiles.named("best-fit")).hasMessageContaining("unknown policy 'best-fit'");
        var weights = new LinkedHashMap<String, Integer>();
        weights.put("most-allocated", null);
        assertThatThrownBy(() -> registry.engine(new Profile("p", List.of(), weights, 0), PluginSettings.none()))
                .hasMessageContaining("was null");
    }
}
