package io.berth.core.placement;

import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;

class GangAndTopologyTest {
    private final PlacementEngine engine = Profiles.engine("bestfit", PluginSettings.none());

    private static List<String> servers(PlacementResult r) {
        return ((PlacementResult.Placed) r).assignments().stream().map(Assignment::server).toList();
    }

    @Test
    void gangIsAllOrNothingAndLeavesNothingReserved() {
        var st = Fixtures.state(aServer("a").gpus(8, "H100").build(), aServer("b").gpus(8, "H100").build());
        var before = st.copy();
        // 3 replicas x 8 GPUs on 2 servers of 8: the third cannot fit, so none may stay
        var result = engine.place(st, aGroup("workers").replicas(3).gpus(8).job("gang"), 1L);
        assertThat(result).isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                u -> assertThat(u.summary()).isEqualTo("2 servers: not enough free GPU"));
        for (int s = 0; s < 2; s++) {
            assertThat(st.gpuFreeMilli(s)).isEqualTo(before.gpuFreeMilli(s)).isEqualTo(8000);
            assertThat(st.cpuFree(s)).isEqualTo(before.cpuFree(s));
        }
        assertThat(st.allocatedGpuMilli()).isZero();
    }

    @Test
    void aFailingSecondGroupRollsBackTheFirst() {
        var st = Fixtures.state(aServer("a").gpus(8, "H100").build());
        var job = new JobRequest("j", "t", 0, List.of(aGroup("ps").cpu(1000).build(), aGroup("w").gpus(16).build()));
        assertThat(engine.place(st, job, 1L)).isInstanceOf(PlacementResult.Unschedulable.class);
        assertThat(st.cpuFree(0)).isEqualTo(64_000);
    }

    @Test
    void elasticReplicasBeyondTheGangAreBestEffort() {
        var st = Fixtures.state(aServer("a").gpus(8, "H100").build());
        // 3 replicas x 4 GPUs, gang 2: two fit on 8 GPUs, the third is left out
        var result = engine.place(st, aGroup("w").replicas(3).gang(2).gpus(4).job("j"), 1L);
        assertThat(servers(result)).containsExactly("a", "a");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // r1 has 2 servers x 4 free GPUs = 8 >= 2 x 4; r2 has 16: the tightest rack that holds the gang wins
            "required rack picks the tightest rack that fits | RACK        | true  | 2 | r1",
            "preferred leaf behaves the same when it fits     | LEAF_SWITCH | false | 2 | r1",
            // 3 x 4 GPUs do not fit r1 (8 GPUs): r2 (16) holds all three
            "a larger gang moves to the larger rack           | RACK        | true  | 3 | r2"
    })
    void topologyKeepsReplicasTogether(String name, TopologyScope scope, boolean required, int replicas, String rack) {
        var st = Fixtures.state(
                aServer("r1-a").rack("r1").gpus(4, "H100").build(), aServer("r1-b").rack("r1").gpus(4, "H100").build(),
                aServer("r2-a").rack("r2").gpus(8, "H100").build(), aServer("r2-b").rack("r2").gpus(8, "H100").build());
        var result = engine.place(st, aGroup("w").replicas(replicas).gpus(4).topology(scope, required).job("j"), 3L);
        assertThat(servers(result)).allMatch(s -> s.startsWith(rack + "-"));
    }

    @Test
    void requiredRackThatNoRackHoldsIsUnschedulableButPreferredSpreads() {
        var st = Fixtures.state(aServer("r1-a").rack("r1").gpus(4, "H100").build(),
                aServer("r2-a").rack("r2").gpus(4, "H100").build());
        var required = engine.place(st, aGroup("w").replicas(2).gpus(4).topology(TopologyScope.RACK, true).job("j"), 1L);
        assertThat(required).isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                u -> assertThat(u.summary()).startsWith("no single rack can hold 2 replicas of task group w"));
        assertThat(st.allocatedGpuMilli()).isZero();
        var preferred = engine.place(st, aGroup("w").replicas(2).gpus(4).topology(TopologyScope.RACK, false).job("j"), 1L);
        assertThat(servers(preferred)).containsExactlyInAnyOrder("r1-a", "r2-a");
    }

    @Test
    void preferredTopologyPullsLaterReplicasToTheSameRack() {
        // No single rack holds 3 x 4 GPUs, so placement falls back to anywhere; the topology scorer keeps the
        // replicas to as few racks as possible: two in the rack of the first (8 GPUs), one elsewhere.
        var st = Fixtures.state(
                aServer("r1-a").rack("r1").gpus(4, "H100").build(), aServer("r1-b").rack("r1").gpus(4, "H100").build(),
                aServer("r2-a").rack("r2").gpus(4, "H100").build(), aServer("r2-b").rack("r2").gpus(4, "H100").build(),
                aServer("r3-a").rack("r3").gpus(4, "H100").build());
        var result = engine.place(st, aGroup("w").replicas(3).gpus(4).topology(TopologyScope.RACK, false).job("j"), 11L);
        long racks = servers(result).stream().map(s -> s.substring(0, 2)).distinct().count();
        assertThat(racks).isEqualTo(2);
    }

    @Test
    void taskGpusStayInOneInterconnectDomainWhenPossible() {
        // GPUs 0,1 domain a (1 used), 2,3 domain b, 4..7 domain c: 2 GPUs fit b exactly, the tightest domain
        var st = Fixtures.state(aServer("s").gpus(8, "H100").domains("a", "a", "b", "b", "c", "c", "c", "c").build());
        st.reserve(new Assignment("x", 0, "s", List.of(0), 1000, 0, 0, 0, 0, 0));
        var result = (PlacementResult.Placed) engine.place(st, aGroup("g").gpus(2).job("j"), 1L);
        assertThat(result.assignments().get(0).gpuIndices()).containsExactly(2, 3);
    }

    @Test
    void requiredInterconnectDomainRejectsSplitGpus() {
        var st = Fixtures.state(aServer("s").gpus(4, "H100").domains("a", "a", "b", "b").build());
        var job = aGroup("g").gpus(3).topology(TopologyScope.INTERCONNECT_DOMAIN, true).job("j");
        assertThat(engine.place(st, job, 1L)).isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                u -> assertThat(u.serversByReason()).containsKey(ReasonKind.TOPOLOGY));
        var preferred = aGroup("g").gpus(3).topology(TopologyScope.INTERCONNECT_DOMAIN, false).job("j");
        assertThat(engine.place(st, preferred, 1L)).isInstanceOf(PlacementResult.Placed.class);
    }
}
