package io.berth.api.scheduling;

import io.berth.api.jobs.HeldResources;
import io.berth.api.jobs.WorkerRow;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The usage counters (V18: server_usage, accelerator_usage), owned by scheduling: what the workers holding resources
 * hold on each server and accelerator. Their CHECKs against the server's capacity (and 1000 per accelerator) refuse
 * an over-allocation, so a racing placement fails instead of handing capacity out twice. Callers own the transaction.
 * <p>
 * A reservation takes a share lock on the server rows (and GPU rows) it checks for READY (HEALTHY) in the same
 * statement, so a state or health change and a placement are ordered as when the counters were columns of those
 * rows: the later one sees the earlier one's commit. Only placements and releases (also a release a heartbeat's
 * finished worker causes) change the counters; a capacity edit rewrites only the capacity copy, through V18's trigger.
 */
@Repository
class UsageCounters implements HeldResources {
    private final JdbcClient jdbc;

    UsageCounters(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** What the workers reserved on one server take of its counted resources. */
    private record ServerDemand(long cpuMillis, long memoryMib, long networkMbps) {
        ServerDemand plus(ServerDemand o) {
            return new ServerDemand(cpuMillis + o.cpuMillis, memoryMib + o.memoryMib, networkMbps + o.networkMbps);
        }
    }

    /**
     * The one reservation path, for a placement committed alone (one job's workers) or in a batch: two statements
     * whatever the number of workers. The demand is summed per server and per GPU first (an UPDATE ... FROM applies
     * one row per target row), so the CHECKs see the batch's total. Servers are share-locked in name order.
     */
    @Override
    public Map<String, Long> reserveAll(List<WorkerRow> rows) {
        Map<String, ServerDemand> perServer = new TreeMap<>();
        Map<String, Map<Integer, Integer>> perGpu = new TreeMap<>();
        for (WorkerRow w : rows) {
            perServer.merge(w.serverName(), new ServerDemand(w.cpuMillis(), w.memoryMib(), w.networkMbps()),
                    ServerDemand::plus);
            for (int g : w.gpuIndices())
                perGpu.computeIfAbsent(w.serverName(), k -> new TreeMap<>()).merge(g, w.milliGpu(), Integer::sum);
        }
        Map<String, Long> ids = new HashMap<>();
        jdbc.sql("""
                        WITH s AS (SELECT id, name FROM servers WHERE name = ANY (?) AND state = 'READY'
                                   ORDER BY name FOR SHARE)
                        UPDATE server_usage u SET cpu_millis_used = u.cpu_millis_used + d.cpu,
                            memory_mib_used = u.memory_mib_used + d.mem, network_mbps_used = u.network_mbps_used + d.net
                        FROM s JOIN unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS d(name, cpu, mem, net)
                            ON d.name = s.name
                        WHERE u.server_id = s.id RETURNING s.name, s.id""")
                .params(perServer.keySet().toArray(String[]::new),
                        perServer.keySet().toArray(String[]::new),
                        perServer.values().stream().map(ServerDemand::cpuMillis).toArray(Long[]::new),
                        perServer.values().stream().map(ServerDemand::memoryMib).toArray(Long[]::new),
                        perServer.values().stream().map(ServerDemand::networkMbps).toArray(Long[]::new))
                .query(rs -> {
                    ids.put(rs.getString(1), rs.getLong(2));
                });
        for (String name : perServer.keySet())
            if (!ids.containsKey(name)) throw new ReservationRefused("server " + name + " is not READY");
        List<Long> gpuServer = new ArrayList<>();
        List<Integer> gpuIdx = new ArrayList<>();
        List<Integer> gpuMilli = new ArrayList<>();
        perGpu.forEach((name, gpus) -> gpus.forEach((idx, milli) -> {
            gpuServer.add(ids.get(name));
            gpuIdx.add(idx);
            gpuMilli.add(milli);
        }));
        if (!gpuIdx.isEmpty()) {
            Set<String> reserved = new HashSet<>();
            jdbc.sql("""
                            WITH a AS (SELECT a.server_id, a.idx, d.milli
                                       FROM unnest(?::bigint[], ?::int[], ?::int[]) AS d(server_id, idx, milli)
                                       JOIN accelerators a ON a.server_id = d.server_id AND a.idx = d.idx
                                       WHERE a.health = 'HEALTHY' FOR SHARE OF a)
                            UPDATE accelerator_usage u SET used_milli = u.used_milli + a.milli
                            FROM a WHERE u.server_id = a.server_id AND u.idx = a.idx RETURNING u.server_id, u.idx""")
                    .params(gpuServer.toArray(Long[]::new), gpuIdx.toArray(Integer[]::new), gpuMilli.toArray(Integer[]::new))
                    .query(rs -> {
                        reserved.add(rs.getLong(1) + "/" + rs.getInt(2));
                    });
            if (reserved.size() != gpuIdx.size()) {
                perGpu.forEach((name, gpus) -> {
                    List<Integer> refused = gpus.keySet().stream()
                            .filter(idx -> !reserved.contains(ids.get(name) + "/" + idx)).toList();
                    if (!refused.isEmpty())
                        throw new ReservationRefused("GPUs " + refused + " of " + name + " are not healthy");
                });
            }
        }
        return ids;
    }

    @Override
    public void release(long serverId, long cpuMillis, long memoryMib, long networkMbps, int milliGpu,
                        Integer[] gpuIndices) {
        jdbc.sql("""
                        UPDATE server_usage SET cpu_millis_used = cpu_millis_used - ?,
                            memory_mib_used = memory_mib_used - ?, network_mbps_used = network_mbps_used - ?
                        WHERE server_id = ?""")
                .params(cpuMillis, memoryMib, networkMbps, serverId).update();
        jdbc.sql("UPDATE accelerator_usage SET used_milli = used_milli - ? WHERE server_id = ? AND idx = ANY (?)")
                .params(milliGpu, serverId, gpuIndices).update();
    }
}
