package io.berth.api.inventory;

import io.berth.api.inventory.TopologySpecs.LinkSpec;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import io.berth.core.inventory.SharedVolumeKind;
import io.berth.core.inventory.SwitchTier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zones, racks, switches, links and shared volumes in explicit SQL, for what runs inside the inventory's JDBC
 * transactions (see {@link TopologyService} for the list): {@code insert*} fails on a duplicate name
 * (DuplicateKeyException); {@code upsert*} creates or replaces and returns true when it created (ON CONFLICT, one
 * statement, {@code xmax = 0}); the reads build the inventory snapshot and export. Callers own the transaction, of
 * either manager: nothing here opens one, so it runs on the caller's connection (the JPA manager exposes its own).
 */
@Repository
class TopologyRepository {
    private final JdbcClient jdbc;

    TopologyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    // --- zones
    void insertZone(ZoneSpec z) {
        jdbc.sql("INSERT INTO zones (name) VALUES (?)").param(z.name()).update();
    }

    boolean upsertZone(ZoneSpec z) {
        return jdbc.sql("INSERT INTO zones (name) VALUES (?) ON CONFLICT (name) DO NOTHING").param(z.name()).update() == 1;
    }

    List<ZoneSpec> zones() {
        return jdbc.sql("SELECT name FROM zones ORDER BY name").query((rs, n) -> new ZoneSpec(rs.getString(1))).list();
    }

    // --- switches
    void insertSwitch(SwitchSpec s) {
        jdbc.sql("INSERT INTO switches (name, tier, zone) VALUES (?, ?, ?)").params(s.name(), s.tier().name(), s.zone())
                .update();
    }

    boolean upsertSwitch(SwitchSpec s) {
        return jdbc.sql("""
                        INSERT INTO switches (name, tier, zone) VALUES (?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, zone = excluded.zone
                        RETURNING (xmax = 0)""")
                .params(s.name(), s.tier().name(), s.zone()).query(Boolean.class).single();
    }

    List<SwitchSpec> switches() {
        return jdbc.sql("SELECT name, tier, zone FROM switches ORDER BY name")
                .query((rs, n) -> new SwitchSpec(rs.getString(1), SwitchTier.valueOf(rs.getString(2)), rs.getString(3)))
                .list();
    }

    // --- racks
    void insertRack(RackSpec r) {
        jdbc.sql("INSERT INTO racks (name, zone, leaf_switch) VALUES (?, ?, ?)").params(r.name(), r.zone(), r.leafSwitch())
                .update();
    }

    boolean upsertRack(RackSpec r) {
        return jdbc.sql("""
                        INSERT INTO racks (name, zone, leaf_switch) VALUES (?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET zone = excluded.zone, leaf_switch = excluded.leaf_switch
                        RETURNING (xmax = 0)""")
                .params(r.name(), r.zone(), r.leafSwitch()).query(Boolean.class).single();
    }

    /** Creates the rack in {@code zone} unless a rack of this name exists (which keeps its zone). */
    void ensureRack(String name, String zone) {
        jdbc.sql("INSERT INTO racks (name, zone) VALUES (?, ?) ON CONFLICT (name) DO NOTHING").params(name, zone).update();
    }

    List<RackSpec> racks() {
        return jdbc.sql("SELECT name, zone, leaf_switch FROM racks ORDER BY name")
                .query((rs, n) -> new RackSpec(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }

    // --- links (stored with endpoints sorted, see V1)
    long insertLink(LinkSpec link) {
        LinkSpec l = link.normalized();
        return jdbc.sql("""
                        INSERT INTO network_links (endpoint_a, endpoint_b, bandwidth_mbps, latency_micros)
                        VALUES (?, ?, ?, ?) RETURNING id""")
                .params(l.endpointA(), l.endpointB(), l.bandwidthMbps(), l.latencyMicros()).query(Long.class).single();
    }

    boolean upsertLink(LinkSpec link) {
        LinkSpec l = link.normalized();
        return jdbc.sql("""
                        INSERT INTO network_links (endpoint_a, endpoint_b, bandwidth_mbps, latency_micros)
                        VALUES (?, ?, ?, ?)
                        ON CONFLICT (endpoint_a, endpoint_b) DO UPDATE
                            SET bandwidth_mbps = excluded.bandwidth_mbps, latency_micros = excluded.latency_micros
                        RETURNING (xmax = 0)""")
                .params(l.endpointA(), l.endpointB(), l.bandwidthMbps(), l.latencyMicros()).query(Boolean.class).single();
    }

    record StoredLink(long id, String endpointA, String endpointB, long bandwidthMbps, int latencyMicros) {
        LinkSpec spec() {
            return new LinkSpec(endpointA, endpointB, bandwidthMbps, latencyMicros);
        }
    }

    List<StoredLink> links() {
        return jdbc.sql("SELECT id, endpoint_a, endpoint_b, bandwidth_mbps, latency_micros FROM network_links ORDER BY id")
                .query((rs, n) -> new StoredLink(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getInt(5))).list();
    }

    /** Removes the links that touch a server or switch that is being deleted (links have no foreign keys). */
    void deleteLinksOf(String endpoint) {
        jdbc.sql("DELETE FROM network_links WHERE endpoint_a = ? OR endpoint_b = ?").params(endpoint, endpoint).update();
    }

    // --- shared volumes
    void insertVolume(VolumeSpec v) {
        jdbc.sql("INSERT INTO shared_volumes (name, kind, capacity_gib, bandwidth_mb_per_sec) VALUES (?, ?, ?, ?)")
                .params(v.name(), v.kind().name(), v.capacityGib(), v.bandwidthMbPerSec()).update();
        insertVolumeRacks(v);
    }

    boolean upsertVolume(VolumeSpec v) {
        boolean created = jdbc.sql("""
                        INSERT INTO shared_volumes (name, kind, capacity_gib, bandwidth_mb_per_sec) VALUES (?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, capacity_gib = excluded.capacity_gib,
                            bandwidth_mb_per_sec = excluded.bandwidth_mb_per_sec
                        RETURNING (xmax = 0)""")
                .params(v.name(), v.kind().name(), v.capacityGib(), v.bandwidthMbPerSec()).query(Boolean.class).single();
        jdbc.sql("DELETE FROM shared_volume_racks WHERE volume = ?").param(v.name()).update();
        insertVolumeRacks(v);
        return created;
    }

    private void insertVolumeRacks(VolumeSpec v) {
        for (String rack : v.racks() == null ? List.<String>of() : new HashSet<>(v.racks())) {
            jdbc.sql("INSERT INTO shared_volume_racks (volume, rack) VALUES (?, ?)").params(v.name(), rack).update();
        }
    }

    List<VolumeSpec> volumes() {
        Map<String, List<String>> racks = new HashMap<>();
        jdbc.sql("SELECT volume, rack FROM shared_volume_racks ORDER BY volume, rack")
                .query(rs -> {
                    racks.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return jdbc.sql("SELECT name, kind, capacity_gib, bandwidth_mb_per_sec FROM shared_volumes ORDER BY name")
                .query((rs, n) -> new VolumeSpec(rs.getString(1), SharedVolumeKind.valueOf(rs.getString(2)),
                        rs.getLong(3), rs.getInt(4), racks.getOrDefault(rs.getString(1), List.of()))).list();
    }

    // --- existence checks used by validation
    Set<String> existing(String table, java.util.Collection<String> names) {
        if (names.isEmpty()) return Set.of();
        if (!Set.of("zones", "racks", "switches", "servers").contains(table)) throw new IllegalArgumentException(table);
        return new HashSet<>(jdbc.sql("SELECT name FROM " + table + " WHERE name = ANY (?)")
                .param(names.toArray(String[]::new)).query(String.class).list());
    }
}
