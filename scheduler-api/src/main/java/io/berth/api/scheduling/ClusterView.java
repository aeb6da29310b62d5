package io.berth.api.scheduling;

import io.berth.api.inventory.InventoryService;
import io.berth.api.jobs.WorkerState;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementState;
import io.berth.core.scheduling.Holder;
import io.berth.core.scheduling.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * allocations of every worker that still holds resources (kept between cycles and updated from the rows that
 * changed). Thread-safe.
 */
@Component
class ClusterView {
    private static final Logger log = LoggerFactory.getLogger(ClusterView.class);
    private final InventoryService inventory;
    private final JdbcClient jdbc;
    private final SchedulerProperties properties;
    private volatile Cached cached;

    /** @param withoutAgent READY servers shown NOT_READY because no agent registered for them */
    private record Cached(long key, Inventory inventory, Set<String> withoutAgent) {
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
        Set<String> withoutAgent = new HashSet<>();
        if (properties.requireAgent()) {
            Set<String> withAgent = new HashSet<>(jdbc.sql("SELECT name FROM servers WHERE agent_last_seen IS NOT NULL")
                    .query(String.class).list());
            List<Server> servers = new ArrayList<>(inv.servers().size());
            for (Server s : inv.servers()) {
                if (!withAgent.contains(s.name()) && s.state() == ServerState.READY) withoutAgent.add(s.name());
                servers.add(withAgent.contains(s.name()) || s.state() != ServerState.READY ? s
                        : new Server(s.name(), s.rack(), s.cpuMillis(), s.memoryMib(), s.labels(), ServerState.NOT_READY,
                        s.idlePowerWatts(), s.peakPowerWatts(), s.networkMbps(), s.accelerators(), s.localDevices()));
            }
            inv = new Inventory(inv.zones(), inv.racks(), inv.switches(), inv.links(), servers, inv.sharedVolumes());
        }
        cached = new Cached(key, inv, Set.copyOf(withoutAgent));
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
        Cached inv = cached;
        // servers without an agent are named in "why not" reasons as such (the inventory only says NOT_READY)
        ClusterLayout layout = new ClusterLayout(inventory,
                inv != null && inv.inventory() == inventory ? inv.withoutAgent() : Set.of());
        cachedLayout = new CachedLayout(inventory, layout);
        return layout;
    }

    /**
     * What one scheduling cycle starts from: every holder, the free resources left by them, and what each tenant
     * holds against the cluster's capacity.
     */
    record Cycle(ClusterLayout layout, List<Holder> holders, PlacementState state, Map<String, Usage> tenantUsage,
                 Usage capacity) {
    }

    /**
     * A worker row as read; {@code holds} false means it gave its resources back. {@code expectedEnd}: the job's start
     * (the read's time if it has not started yet) plus its maxRunSeconds; null without a maxRunSeconds.
     */
    private record Row(UUID workerId, UUID jobId, String tenant, int priority, Instant created, WorkerState workerState,
                       boolean holds, Assignment a, Instant expectedEnd) {
    }

    /**
     * Holders and the free resources they leave, kept between cycles for one layout. Brought up to date from the
     * worker rows written since the previous read (V7's {@code changed_xid}), so a cycle reads and applies what
     * changed instead of every running worker.
     */
    private static final class Tracked {
        final ClusterLayout layout;
        final PlacementState free;
        final long gpuMilliCapacity;
        final long cpuMillisCapacity;
        final Map<UUID, Map<UUID, Row>> rowsByJob = new HashMap<>();
        final Map<UUID, Holder> holders = new HashMap<>();
        final Map<String, Usage> tenantUsage = new HashMap<>(); // what each tenant's holders hold now
        String horizon;

        Tracked(Inventory inventory, ClusterLayout layout) {
            this.layout = layout;
            this.free = ClusterSnapshot.of(layout, List.of()).workingCopy();
            long gpu = 0;
            long cpu = 0;
            for (Server s : inventory.servers()) {
                gpu += 1000L * s.gpuCount();
                cpu += s.cpuMillis();
            }
            this.gpuMilliCapacity = gpu;
            this.cpuMillisCapacity = cpu;
        }

        /** Adds (sign 1) or takes away (sign -1) what the holder holds, to its tenant's usage and the free state. */
        void add(Holder h, int sign) {
            long gpuMilli = 0;
            long cpuMillis = 0;
            for (Assignment a : h.allocation().assignments()) {
                gpuMilli += sign * (long) a.gpuIndices().size() * a.milliGpuPerGpu();
                cpuMillis += sign * a.cpuMillis();
                if (sign > 0) free.reserve(a);
                else free.release(a);
            }
            tenantUsage.merge(h.tenant(), new Usage(gpuMilli, cpuMillis), Usage::plus);
        }
    }

    private final Object trackedLock = new Object();
    private Tracked tracked; // guarded by trackedLock

    /**
     * The start of a cycle. The first read (and any read after the inventory changed) reads every worker holding
     * resources; later reads only the rows written by transactions not visible to the previous read: that read
     * noted the xmin of a snapshot taken just before it, and every transaction still running or not yet started
     * then has an xid at least that large. Rows seen twice are simply applied again. Safe to call concurrently; the
     * returned state is the caller's own copy.
     */
    Cycle cycle() {
        Inventory inventory = inventory();
        ClusterLayout layout = layout(inventory);
        synchronized (trackedLock) {
            String horizon = jdbc.sql("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").query(String.class).single();
            Tracked t = tracked;
            tracked = null; // until brought up to date: a failed read leaves a full read for the next cycle
            if (t != null && t.layout == layout) {
                try {
                    apply(t, rows("w.changed_xid >= ?::xid8", t.horizon));
                } catch (IllegalStateException | IllegalArgumentException inconsistent) {
                    // the changes do not fit what was kept (should not happen): start over from every holder
                    log.warn("scheduler view out of step with the workers table, reading it whole: {}",
                            inconsistent.getMessage());
                    t = null;
                }
            } else {
                t = null;
            }
            if (t == null) {
                t = new Tracked(inventory, layout);
                apply(t, rows("w.holds_resources", null));
            }
            t.horizon = horizon;
            tracked = t;
            Map<String, Usage> usage = new HashMap<>();
            t.tenantUsage.forEach((tenant, u) -> {
                if (!u.isZero()) usage.put(tenant, u);
            });
            return new Cycle(layout, List.copyOf(t.holders.values()), t.free.copy(), usage,
                    new Usage(t.gpuMilliCapacity, t.cpuMillisCapacity));
        }
    }

    /** Applies changed rows: each touched job gives back what it held and takes what its rows now hold. */
    private static void apply(Tracked t, List<Row> rows) {
        Set<UUID> touched = new HashSet<>();
        for (Row r : rows) {
            touched.add(r.jobId());
            Map<UUID, Row> ofJob = t.rowsByJob.computeIfAbsent(r.jobId(), k -> new HashMap<>(2));
            if (r.holds()) ofJob.put(r.workerId(), r);
            else ofJob.remove(r.workerId());
        }
        for (UUID job : touched) {
            Holder old = t.holders.remove(job);
            if (old != null) t.add(old, -1);
            Map<UUID, Row> ofJob = t.rowsByJob.get(job);
            if (ofJob.isEmpty()) {
                t.rowsByJob.remove(job);
                continue;
            }
            Holder h = holder(ofJob.values());
            t.add(h, 1);
            t.holders.put(job, h);
        }
    }

    private static Holder holder(java.util.Collection<Row> rows) {
        Row first = rows.iterator().next();
        boolean stopping = false;
        List<Assignment> assignments = new ArrayList<>(rows.size());
        for (Row r : rows) {
            stopping |= r.workerState() == WorkerState.STOPPING;
            assignments.add(r.a());
        }
        // a job that already holds a slot under two attempts (old workers still stopping) keeps distinct replicas
        return new Holder(first.jobId().toString(), first.tenant(), first.priority(), first.created(), stopping,
                new Allocation(first.jobId().toString(), first.priority(), assignments), first.expectedEnd());
    }

    private List<Row> rows(String where, String horizon) {
        var statement = jdbc.sql("""
                SELECT w.id, w.job_id, j.tenant, j.priority, j.created_at, w.state, w.holds_resources, w.task_group,
                       w.replica, s.name, w.gpu_indices, w.milli_gpu, w.cpu_millis, w.memory_mib, w.storage_gib,
                       w.storage_mb_per_sec, w.network_mbps,
                       coalesce(j.started_at, now()) + j.max_run_seconds * interval '1 second'
                FROM workers w JOIN jobs j ON j.id = w.job_id JOIN servers s ON s.id = w.server_id
                WHERE\s""" + where);
        if (horizon != null) statement = statement.param(horizon);
        return statement.query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                rs.getString(3), rs.getInt(4), rs.getTimestamp(5).toInstant(), WorkerState.valueOf(rs.getString(6)), rs.getBoolean(7),
                new Assignment(rs.getString(8), rs.getInt(9), rs.getString(10),
                        Arrays.asList((Integer[]) rs.getArray(11).getArray()), rs.getInt(12), rs.getLong(13),
                        rs.getLong(14), rs.getLong(15), rs.getInt(16), rs.getLong(17)),
                rs.getTimestamp(18) == null ? null : rs.getTimestamp(18).toInstant())).list();
    }
}
