package io.berth.api.power;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.power.PowerFigures.ClusterPower;
import io.berth.api.power.PowerFigures.RackPower;
import io.berth.api.power.PowerFigures.ServerPower;
import io.berth.api.power.PowerFigures.ZonePower;
import io.berth.api.scheduling.SchedulerProperties;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cluster's power, read from the servers' latest reports (V15), and its history sampled in memory every
 * {@code berth.power.sample-seconds}, which also refreshes the Prometheus figures:
 * <ul>
 *   <li>berth_power_it_watts, berth_power_facility_watts (gauges): the IT load, and it times the PUE</li>
 *   <li>berth_power_rack_watts{rack,zone} (gauge)</li>
 *   <li>berth_energy_it_joules_total: the cumulative IT energy (the sum of the servers' counters and of the deleted
 *       servers' last counters, V17, so it never goes down)</li>
 * </ul>
 * A server's watts: 0 when it is POWERED_OFF or its agent has been silent longer than the heartbeat timeout; else its
 * agent's report when that is not older than the timeout; else, when the inventory has a peak figure, the model the
 * agents use too: idle + (peak - idle) x the share allocated (GPU shares held / GPUs, or for a server without
 * accelerators CPU allocated / CPU); else 0 ("none"). Thread-safe.
 */
@Service
public class ClusterPowerService {
    private final JdbcClient jdbc;
    private final SchedulerProperties scheduler;
    private final PowerProperties properties;
    private final PowerHistory history = new PowerHistory();
    private final AtomicReference<ClusterPower> latest = new AtomicReference<>();
    private final MultiGauge rackWatts;

    ClusterPowerService(JdbcClient jdbc, SchedulerProperties scheduler, PowerProperties properties,
                        MeterRegistry registry) {
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.properties = properties;
        Gauge.builder("berth.power.it", latest, l -> l.get() == null ? 0 : l.get().itWatts()).baseUnit("watts")
                .description("power drawn by the servers (IT load)").register(registry);
        Gauge.builder("berth.power.facility", latest, l -> l.get() == null ? 0 : l.get().facilityWatts())
                .baseUnit("watts").description("IT load times the configured PUE").register(registry);
        FunctionCounter.builder("berth.energy.it", latest, l -> l.get() == null ? 0 : l.get().energyJoules())
                .baseUnit("joules").description("IT energy integrated from the servers' power reports")
                .register(registry);
        this.rackWatts = MultiGauge.builder("berth.power.rack").baseUnit("watts")
                .description("power drawn by the servers of a rack").register(registry);
    }

    /** Takes one sample: the history and the Prometheus figures. Skipped while the database is unreachable. */
    @Scheduled(fixedDelayString = "${berth.power.sample-seconds:10}", initialDelay = 2,
            timeUnit = java.util.concurrent.TimeUnit.SECONDS)
    public void sample() {
        ClusterPower p;
        try {
            p = now();
        } catch (RuntimeException e) {
            if (!DatabaseOutage.is(e)) throw e;
            return; // the figures keep their last values; the outage is logged elsewhere
        }
        latest.set(p);
        rackWatts.register(p.racks().stream()
                .map(r -> MultiGauge.Row.of(Tags.of("rack", r.rack(), "zone", r.zone()), r.itWatts())).toList(), true);
        history.add(p);
    }

    /** The samples of the last {@code minutes}, oldest first. */
    List<PowerHistory.Sample> history(int minutes) {
        return history.since(Instant.now().minus(Duration.ofMinutes(minutes)));
    }

    double pue() {
        return properties.pue();
    }

    /** The cluster's power now, read from the database. */
    public ClusterPower now() {
        record Row(String name, String rack, String zone, boolean off, boolean live, Integer watts, String source,
                   Instant at, boolean fresh, int idle, int peak, long cpu, long cpuUsed, int gpus, long gpuUsedMilli,
                   long energy, long retired, Instant now) {
        }
        List<Row> rows = jdbc.sql("""
                        SELECT s.name, s.rack, coalesce(r.zone, '') AS zone, s.state = 'POWERED_OFF' AS off,
                               coalesce(s.agent_last_seen > now() - make_interval(secs => :timeout), false) AS live,
                               s.power_watts, s.power_source, s.power_at,
                               coalesce(s.power_at > now() - make_interval(secs => :timeout), false) AS fresh,
                               s.idle_power_watts, s.peak_power_watts, s.cpu_millis, u.cpu_millis_used,
                               a.gpus, a.used, s.energy_joules, (SELECT joules FROM retired_energy) AS retired,
                               now() AS read_at
                        FROM servers s JOIN server_usage u ON u.server_id = s.id LEFT JOIN racks r ON r.name = s.rack
                            CROSS JOIN LATERAL (SELECT count(*)::int AS gpus, coalesce(sum(used_milli), 0) AS used
                                                FROM accelerator_usage WHERE server_id = s.id) a
                        ORDER BY s.name""")
                .param("timeout", scheduler.heartbeatTimeoutSeconds())
                .query((rs, n) -> new Row(rs.getString("name"), rs.getString("rack"), rs.getString("zone"),
                        rs.getBoolean("off"), rs.getBoolean("live"), (Integer) rs.getObject("power_watts"),
                        rs.getString("power_source"), instant(rs.getTimestamp("power_at")), rs.getBoolean("fresh"),
                        rs.getInt("idle_power_watts"), rs.getInt("peak_power_watts"), rs.getLong("cpu_millis"),
                        rs.getLong("cpu_millis_used"), rs.getInt("gpus"), rs.getLong("used"),
                        rs.getLong("energy_joules"), rs.getLong("retired"), instant(rs.getTimestamp("read_at")))).list();
        Instant at = rows.isEmpty() ? Instant.now() : rows.get(0).now();
        // deleted servers' energy, read in the same statement as the servers' counters (a server deleted meanwhile
        // is counted once)
        long energy = rows.isEmpty() ? jdbc.sql("SELECT joules FROM retired_energy").query(Long.class).single()
                : rows.get(0).retired();
        List<ServerPower> servers = new ArrayList<>();
        Map<String, PowerSum> zones = new TreeMap<>();
        Map<String, PowerSum> racks = new TreeMap<>();
        Map<String, String> rackZone = new TreeMap<>();
        long it = 0;
        for (Row r : rows) {
            ServerPower sp;
            if (r.off() || !r.live()) {
                sp = new ServerPower(r.name(), r.rack(), 0, "none", r.at());
            } else if (r.fresh() && r.watts() != null) {
                sp = new ServerPower(r.name(), r.rack(), r.watts(), r.source(), r.at());
            } else if (r.peak() > 0) {
                double used = r.gpus() > 0 ? r.gpuUsedMilli() / (1000.0 * r.gpus())
                        : r.cpu() > 0 ? (double) r.cpuUsed() / r.cpu() : 0;
                int idle = Math.min(r.idle(), r.peak());
                int watts = (int) Math.round(idle + (r.peak() - idle) * Math.max(0, Math.min(1, used)));
                sp = new ServerPower(r.name(), r.rack(), watts, "model", at);
            } else {
                sp = new ServerPower(r.name(), r.rack(), 0, "none", r.at());
            }
            servers.add(sp);
            it += sp.watts();
            energy += r.energy();
            String rack = r.rack() == null ? "" : r.rack();
            PowerSum one = new PowerSum(sp.watts(), 1);
            zones.merge(r.zone(), one, PowerSum::plus);
            racks.merge(rack, one, PowerSum::plus);
            rackZone.put(rack, r.zone());
        }
        servers.sort(java.util.Comparator.comparing(ServerPower::rack).thenComparing(ServerPower::name));
        return new ClusterPower(at, properties.pue(), it, Math.round(it * properties.pue()), energy,
                zones.entrySet().stream().map(e -> new ZonePower(e.getKey(), e.getValue().itWatts(),
                        e.getValue().servers())).toList(),
                racks.entrySet().stream().map(e -> new RackPower(e.getKey(), rackZone.get(e.getKey()),
                        e.getValue().itWatts(), e.getValue().servers())).toList(),
                servers);
    }

    /** The IT power of a group of servers (a zone or a rack) and how many servers it counts. */
    private record PowerSum(long itWatts, int servers) {
        PowerSum plus(PowerSum o) {
            return new PowerSum(itWatts + o.itWatts, servers + o.servers);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
