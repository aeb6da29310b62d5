package io.berth.api.k8s;

import io.berth.api.ApiTestBase;
import io.berth.api.inventory.InventoryService;
import io.berth.api.leader.Leadership;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Node sync from the fabric8 mock API server into the real inventory: one node per case, synced, then the server
 * read back whole (or its absence checked).
 */
@EnableKubernetesMockClient(crud = true)
class NodeSyncTest extends ApiTestBase {
    KubernetesClient client;

    @Autowired
    InventoryService inventory;
    @Autowired
    JdbcClient jdbcClient;
    @Autowired
    Leadership leadership;

    /** The synced server as the database holds it. */
    record Synced(String rack, String zone, long cpuMillis, long memoryMib, int gpus, String gpuModel, int gpuMemoryMib,
                  String state) {
    }

    /** A fluent Node fixture: a Ready node with 8 CPUs and 64 GiB unless told otherwise. */
    static final class ANode {
        private final String name;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, Quantity> allocatable = new HashMap<>();
        private boolean cordoned;
        private String ready = "True";

        private ANode(String name) {
            this.name = name;
            allocatable.put("cpu", new Quantity("8"));
            allocatable.put("memory", new Quantity("64Gi"));
        }

        static ANode aNode(String name) {
            return new ANode(name);
        }

        ANode label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        ANode allocatable(String resource, String quantity) {
            Quantity q = new Quantity();
            q.setAmount(quantity); // unparsed, so that a malformed value reaches the API server as is
            allocatable.put(resource, q);
            return this;
        }

        ANode cordoned() {
            cordoned = true;
            return this;
        }

        ANode ready(String status) {
            ready = status;
            return this;
        }

        Node build() {
            return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                    .withNewSpec().withUnschedulable(cordoned).endSpec()
                    .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable)
                    .addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus().build();
        }
    }

    static Stream<Arguments> nodes() {
        return Stream.of(
                arguments("GPU node: 8 H100 on rack r7 in zone z1",
                        ANode.aNode("gpu-1").allocatable("cpu", "96").allocatable("memory", "1Ti")
                                .allocatable("nvidia.com/gpu", "8").label("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3")
                                .label("nvidia.com/gpu.memory", "81559").label("topology.kubernetes.io/rack", "r7")
                                .label("topology.kubernetes.io/zone", "z1"),
                        // 96 cores = 96000 m; 1 TiB = 1048576 MiB
                        new Synced("r7", "z1", 96_000, 1_048_576, 8, "NVIDIA-H100-80GB-HBM3", 81559, "READY")),
                arguments("CPU node: fractional CPU, memory in Ki, berth.io/rack",
                        ANode.aNode("cpu-1").allocatable("cpu", "7910m").allocatable("memory", "65843984Ki")
                                .label("berth.io/rack", "r2"),
                        // 65843984 KiB / 1024 = 64300.76 -> 64300 MiB (rounded down)
                        new Synced("r2", "default", 7_910, 64_300, 0, null, 0, "READY")),
                arguments("cordoned node is CORDONED, GPU model unknown without the label",
                        ANode.aNode("cordoned-1").allocatable("nvidia.com/gpu", "2").cordoned(),
                        // 8 cores, 64 GiB = 65536 MiB
                        new Synced("default", "default", 8_000, 65_536, 2, "unknown", 0, "CORDONED")),
                arguments("NotReady node is NOT_READY",
                        ANode.aNode("down-1").ready("False"),
                        new Synced("default", "default", 8_000, 65_536, 0, null, 0, "NOT_READY")),
                arguments("Ready unknown is NOT_READY",
                        ANode.aNode("unknown-1").ready("Unknown"),
                        new Synced("default", "default", 8_000, 65_536, 0, null, 0, "NOT_READY")),
                arguments("malformed CPU quantity: skipped",
                        ANode.aNode("bad-cpu").allocatable("cpu", "eight"), null),
                arguments("fractional GPU count: skipped",
                        ANode.aNode("bad-gpu").allocatable("nvidia.com/gpu", "1500m"), null),
                arguments("negative memory: skipped",
                        ANode.aNode("bad-memory").allocatable("memory", "-1Gi"), null));
    }

    private NodeSync nodeSync() {
        return new NodeSync(client, inventory, leadership, new NodeSyncProperties(true, 60));
    }

    private Synced read(String name) {
        List<Synced> rows = jdbcClient.sql("""
                        SELECT s.rack, r.zone, s.cpu_millis, s.memory_mib, s.state,
                               (SELECT count(*) FROM accelerators a WHERE a.server_id = s.id) AS gpus,
                               (SELECT min(a.model) FROM accelerators a WHERE a.server_id = s.id) AS model,
                               (SELECT coalesce(min(a.memory_mib), 0) FROM accelerators a WHERE a.server_id = s.id) AS gpu_memory
                        FROM servers s JOIN racks r ON r.name = s.rack WHERE s.name = ?""").param(name)
                .query((rs, n) -> new Synced(rs.getString("rack"), rs.getString("zone"), rs.getLong("cpu_millis"),
                        rs.getLong("memory_mib"), rs.getInt("gpus"), rs.getString("model"), rs.getInt("gpu_memory"),
                        rs.getString("state"))).list();
        return rows.isEmpty() ? null : rows.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodes")
    void syncsANodeIntoTheInventory(String name, ANode node, Synced expected) {
        Node n = node.build();
        client.nodes().resource(n).create();
        // a healthy neighbour proves one bad node does not stop the others
        client.nodes().resource(ANode.aNode("neighbour").build()).create();

        NodeSync.Report report = nodeSync().sync();

        String nodeName = n.getMetadata().getName();
        assertThat(read(nodeName)).isEqualTo(expected);
        assertThat(read("neighbour")).isNotNull();
        if (expected == null) {
            assertThat(report.skipped()).extracting(NodeMapping.Skipped::node).containsExactly(nodeName);
            assertThat(report.created()).isEqualTo(1);
        } else {
            assertThat(report.skipped()).isEmpty();
            assertThat(report.created()).isEqualTo(2);
        }
    }

    @Test
    void labelsAreCopiedWithinTheLimits() {
        ANode node = ANode.aNode("labelled").label("kubernetes.io/hostname", "labelled").label("long", "x".repeat(257))
                .label("k".repeat(129), "v");
        for (int i = 0; i < 70; i++) node.label(String.format("extra/%02d", i), "v");
        client.nodes().resource(node.build()).create();

        nodeSync().sync();

        Map<String, String> labels = inventory.server("labelled").labels();
        assertThat(labels).hasSize(NodeMapping.MAX_LABELS).doesNotContainKeys("long", "k".repeat(129));
        // keys in order: extra/00 .. extra/63 fill the 64 before kubernetes.io/hostname
        assertThat(labels).containsKey("extra/00").containsKey("extra/63").doesNotContainKey("extra/64");
    }

    @Test
    void aResyncUpdatesAndKeepsServersThatAreNotInKubernetes() {
        liveServer("manual-1", "default", 0, "H100", 4000, 4096);
        client.nodes().resource(ANode.aNode("n1").build()).create();
        assertThat(nodeSync().sync().created()).isEqualTo(1);

        client.nodes().withName("n1").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
        NodeSync.Report second = nodeSync().sync();

        assertThat(second.created()).isZero();
        assertThat(second.updated()).isEqualTo(1);
        assertThat(second.notInKubernetes()).containsExactly("manual-1");
        assertThat(read("n1").state()).isEqualTo("CORDONED");
        assertThat(read("manual-1")).isNotNull();
    }
}
