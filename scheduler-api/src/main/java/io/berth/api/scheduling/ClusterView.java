package io.berth.api.scheduling;

import io.berth.api.inventory.InventoryService;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.Allocation;
import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.Assignment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the scheduler sees of the database: the schedulable inventory (cached until a server changes) and the
 * allocations of every worker that still holds resources. Thread-safe.
 */
@Component
class ClusterView {
    private final InventoryService inventory;
    private final JdbcClient jdbc;
    private final SchedulerProperties properties;
    private volatile Cached cached;

    private record Cached(long key, Inventory inventory) {
    }

    /** The layout of the last inventory asked for; rebuilt only when {@link #inventory()} returns a new instance. */
    private record CachedLayout(Inventory inventory, ClusterLayout layout) {
    }

    private volatile CachedLayout cachedLayout;

    ClusterView(InventoryService inventory, JdbcClient jdbc, SchedulerProperties properties) {
        this.inventory = inventory;
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /**
     * The inventory the engine may place on. Servers without a registered agent are shown NOT_READY when agents are
     * required. Re-read only when the inventory version (V5: moved by triggers on every inventory change, one
     * primary-key read) differs from the cached one; the version is read before the inventory, so a change committed
     * in between only causes one more re-read.
     */
    Inventory inventory() {
        long key = jdbc.sql("SELECT version FROM inventory_version").query(Long.class).single();
        Cached c = cached;
        if (c != null && c.key() == key) return c.inventory();
        Inventory inv = inventory.snapshot();
        if (properties.requireAgent()) {
            Set<String> withAgent = new HashSet<>(jdbc.sql("SELECT name FROM servers WHERE agent_last_seen IS NOT NULL")
                    .query(String.class).list());
            List<Server> servers = new ArrayList<>(inv.servers().size());
            for (Server s : inv.servers()) {
                servers.add(withAgent.contains(s.name()) || s.state() != ServerState.READY ? s
                        : new Server(s.name(), s.rack(), s.cpuMillis(), s.memoryMib(), s.labels(), ServerState.NOT_READY,
                        s.idlePowerWatts(), s.peakPowerWatts(), s.networkMbps(), s.accelerators(), s.localDevices()));
            }
            inv = new Inventory(inv.zones(), inv.racks(), inv.switches(), inv.links(), servers, inv.sharedVolumes());
        }
        cached = new Cached(key, inv);
        return inv;
    }

    /**
     * The placement layout of {@code inventory} (an instance returned by {@link #inventory()}). Building it is linear
     * in servers and GPUs and dominated submissions (can-ever-fit) and cycles on a 10,000-server cluster, so it is
     * kept while the inventory instance is unchanged; ClusterLayout is immutable, so sharing it is safe.
     */
    ClusterLayout layout(Inventory inventory) {
        CachedLayout c = cachedLayout;
        if (c != null && c.inventory() == inventory) return c.layout();
        ClusterLayout layout = new ClusterLayout(inventory);
        cachedLayout = new CachedLayout(inventory, layout);
        return layout;
    }

    /** A job that holds resources, with what the scheduler needs to order, share and preempt. */
    record Holder(UUID jobId, String tenant, int priority, Instant createdAt, boolean stopping, Allocation allocation) {
    }

    List<Holder> holders() {
        record Row(UUID jobId, String tenant, int priority, Instant created, String workerState, Assignment a) {
        }
        List<Row> rows = jdbc.sql("""
                        SELECT w.job_id, j.tenant, j.priority, j.created_at, w.state, w.task_group, w.replica, s.name,
                               w.gpu_indices, w.milli_gpu, w.cpu_millis, w.memory_mib, w.storage_gib,
                               w.storage_mb_per_sec, w.network_mbps
                        FROM workers w JOIN jobs j ON j.id = w.job_id JOIN servers s ON s.id = w.server_id
                        WHERE w.holds_resources""")
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3),
                        rs.getTimestamp(4).toInstant(), rs.getString(5),
                        new Assignment(rs.getString(6), rs.getInt(7), rs.getString(8),
                                Arrays.asList((Integer[]) rs.getArray(9).getArray()), rs.getInt(10), rs.getLong(11),
                                rs.getLong(12), rs.getLong(13), rs.getInt(14), rs.getLong(15))))
                .list();
        Map<UUID, List<Row>> byJob = new HashMap<>(rows.size() * 4 / 3 + 1);
        for (Row r : rows) byJob.computeIfAbsent(r.jobId(), k -> new ArrayList<>(1)).add(r);
        List<Holder> holders = new ArrayList<>(byJob.size());
        for (List<Row> rs : byJob.values()) {
            Row first = rs.get(0);
            boolean stopping = false;
            List<Assignment> assignments = new ArrayList<>(rs.size());
            for (Row r : rs) {
                stopping |= r.workerState().equals("STOPPING");
                assignments.add(r.a());
            }
            // a job that already holds a slot under two attempts (old workers still stopping) keeps distinct replicas
            holders.add(new Holder(first.jobId(), first.tenant(), first.priority(), first.created(), stopping,
                    new Allocation(first.jobId().toString(), first.priority(), assignments)));
        }
        return holders;
    }
}
