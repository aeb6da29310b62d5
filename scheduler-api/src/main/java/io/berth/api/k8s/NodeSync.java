package io.berth.api.k8s;

import io.berth.api.inventory.InventoryService;
import io.berth.api.leader.Leadership;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the inventory in step with the cluster's Node objects ({@code berth.node-sync.enabled=true}): as soon as this
 * process leads (start-up, or a take-over) and then every {@code berth.node-sync.interval-seconds}, lists Nodes and upserts each as a server (see {@link NodeMapping}),
 * creating its zone and rack when missing (an existing rack keeps its zone). Only the leader syncs, so replicas do
 * not race each other's upserts.
 *
 * <p>Never deletes: servers not backed by a Node (added through the API, or whose Node is gone) are logged, not
 * removed, because deleting a server with running work is an operator's decision. A node that cannot be mapped or
 * that the inventory refuses is logged and skipped; the others are still synced.
 */
@Component
@ConditionalOnProperty(name = "berth.node-sync.enabled", havingValue = "true")
public class NodeSync {
    private static final Logger log = LoggerFactory.getLogger(NodeSync.class);

    private final KubernetesClient client;
    private final InventoryService inventory;
    private final Leadership leadership;
    private final long intervalNanos;
    /** Only touched by the scheduler thread. */
    private long syncedUnderEpoch = -1;
    private long lastSyncNanos;

    @Autowired
    public NodeSync(KubernetesClient client, InventoryService inventory, Leadership leadership,
                    NodeSyncProperties properties) {
        this.client = client;
        this.inventory = inventory;
        this.leadership = leadership;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(properties.intervalSeconds());
    }

    /** What one sync did: servers created and updated, nodes skipped (with reasons), servers without a Node. */
    public record Report(int created, int updated, List<NodeMapping.Skipped> skipped, List<String> notInKubernetes) {
    }

    /** Every 2 s: syncs when this process has just become leader (new epoch) or the interval has passed. */
    @Scheduled(initialDelay = 0, fixedDelay = 2, timeUnit = TimeUnit.SECONDS)
    void scheduled() {
        if (!leadership.isLeader()) return;
        long now = System.nanoTime();
        if (leadership.epoch() == syncedUnderEpoch && now - lastSyncNanos < intervalNanos) return;
        syncedUnderEpoch = leadership.epoch();
        lastSyncNanos = now;
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("node sync failed, retrying next interval: {}", e.getMessage());
        }
    }

    /** One sync, regardless of leadership. Throws when the Node list cannot be read; per-node failures are skipped. */
    public Report sync() {
        List<Node> nodes = client.nodes().list().getItems();
        int created = 0;
        int updated = 0;
        List<NodeMapping.Skipped> skipped = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node node : nodes) {
            NodeMapping.Result result = NodeMapping.map(node);
            names.add(result.node());
            if (result instanceof NodeMapping.Skipped s) {
                skipped.add(s);
                log.warn("node {} not synced: {}", s.node(), s.reason());
                continue;
            }
            NodeMapping.Mapped m = (NodeMapping.Mapped) result;
            try {
                if (inventory.syncNodeServer(m.server(), m.zone())) created++;
                else updated++;
            } catch (RuntimeException e) {
                NodeMapping.Skipped s = new NodeMapping.Skipped(m.node(), "refused by the inventory: " + e.getMessage());
                skipped.add(s);
                log.warn("node {} not synced: {}", s.node(), s.reason());
            }
        }
        List<String> orphans = inventory.serverNames().stream().filter(n -> !names.contains(n)).toList();
        if (!orphans.isEmpty())
            log.info("{} server(s) have no Kubernetes Node and are kept: {}", orphans.size(),
                    String.join(", ", orphans.stream().limit(20).toList()));
        log.debug("node sync: {} nodes, {} created, {} updated, {} skipped", nodes.size(), created, updated, skipped.size());
        return new Report(created, updated, List.copyOf(skipped), orphans);
    }
}
