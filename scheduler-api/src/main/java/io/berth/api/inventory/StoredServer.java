package io.berth.api.inventory;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Generated;
import org.hibernate.generator.EventType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A row of {@code servers} (V1) with its accelerators and local devices as owned collections: read, created, replaced
 * and deleted through Spring Data by {@link ServerService} (the REST API's single-server reads and writes), which
 * hands out {@link ServerView} records and never lets an entity leave its transaction. Everything else that writes
 * these rows is explicit SQL ({@link ServerRepository}, {@link ServerStatus}, {@link PowerStates}): the import, the
 * agent's registration and heartbeats, power states, drains.
 * <p>
 * {@code version} is the inventory's change counter, bumped by every writer of the row (those SQL writers too), not a
 * JPA {@code @Version}: a replacement reads the row only after locking it ({@link ServerRepository#lockHoldings}), so
 * no other writer can change it in between and the counter cannot be lost. Columns written only by SQL (agent
 * address and last heartbeat, power, energy) are not mapped, so no update of this entity touches them; updates write
 * only the columns that changed ({@code @DynamicUpdate}).
 */
@Entity
@Table(name = "servers")
@DynamicUpdate
class StoredServer {
    /**
     * Up to a page (500 servers, the listing's largest) of servers get their accelerators in one query, and their
     * devices in another, when the first of them is read: no query per server.
     */
    static final int PARTS_BATCH = 500;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(updatable = false)
    private String name;
    private String rack;
    @Column(name = "cpu_millis")
    private long cpuMillis;
    @Column(name = "memory_mib")
    private long memoryMib;
    @Column(name = "network_mbps")
    private long networkMbps;
    /** JSONB; read as its text and parsed, written as text cast to JSONB. Never null (empty: {}). */
    @Convert(converter = LabelsConverter.class)
    @ColumnTransformer(write = "CAST(? AS jsonb)")
    private Map<String, String> labels = new HashMap<>();
    @Enumerated(EnumType.STRING)
    private ServerState state;
    @Column(name = "state_reason")
    private String stateReason;
    @Column(name = "idle_power_watts")
    private int idlePowerWatts;
    @Column(name = "peak_power_watts")
    private int peakPowerWatts;
    @Enumerated(EnumType.STRING)
    @Column(name = "hardware_source")
    private HardwareSource hardwareSource;
    private long version;
    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    private Instant createdAt;
    /** The database's time of the transaction that last changed the row, written and read back by every write. */
    @Generated(event = {EventType.INSERT, EventType.UPDATE}, sql = "now()")
    @Column(name = "updated_at")
    private Instant updatedAt;
    /**
     * Seconds since the agent's last heartbeat by the database's clock (which wrote it), with fractions; null when no
     * agent ever registered. Read when the row is loaded.
     */
    @Formula("date_part('epoch', now() - agent_last_seen)")
    private Double agentAgeSeconds;
    @OneToMany(mappedBy = "server", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("idx")
    @BatchSize(size = PARTS_BATCH)
    private List<StoredAccelerator> accelerators = new ArrayList<>();
    @OneToMany(mappedBy = "server", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("name")
    @BatchSize(size = PARTS_BATCH)
    private List<StoredLocalDevice> localDevices = new ArrayList<>();

    protected StoredServer() {
    }

    /** A new server as described (state and all), with its parts. */
    static StoredServer of(Server s, HardwareSource source) {
        StoredServer row = new StoredServer();
        row.name = s.name();
        row.describe(s, source);
        for (Accelerator a : s.accelerators()) row.accelerators.add(new StoredAccelerator(row, a));
        for (LocalDevice d : s.localDevices()) row.localDevices.add(new StoredLocalDevice(row, d));
        return row;
    }

    /**
     * Replaces the description by {@code s}, as the import's upsert does: the state is the description's, its reason
     * and the agent's columns stay. Accelerators and devices are updated in place by index and by name (a kept
     * accelerator keeps its usage row, V18), missing ones deleted, new ones added; a latched accelerator keeps its
     * health ({@link StoredAccelerator#describe}). The version moves even when nothing else changed, as every write
     * through the API moves it.
     */
    void replaceWith(Server s, HardwareSource source) {
        describe(s, source);
        version++;
        Map<Integer, Accelerator> wanted = new HashMap<>();
        for (Accelerator a : s.accelerators()) wanted.put(a.index(), a);
        accelerators.removeIf(a -> !wanted.containsKey(a.index()));
        for (StoredAccelerator a : accelerators) a.describe(wanted.remove(a.index()));
        s.accelerators().stream().filter(a -> wanted.containsKey(a.index()))
                .forEach(a -> accelerators.add(new StoredAccelerator(this, a)));
        Map<String, LocalDevice> devices = new HashMap<>();
        for (LocalDevice d : s.localDevices()) devices.put(d.name(), d);
        localDevices.removeIf(d -> !devices.containsKey(d.name()));
        for (StoredLocalDevice d : localDevices) d.describe(devices.remove(d.name()));
        s.localDevices().stream().filter(d -> devices.containsKey(d.name()))
                .forEach(d -> localDevices.add(new StoredLocalDevice(this, d)));
    }

    private void describe(Server s, HardwareSource source) {
        rack = s.rack();
        cpuMillis = s.cpuMillis();
        memoryMib = s.memoryMib();
        networkMbps = s.networkMbps();
        labels = new HashMap<>(s.labels());
        state = s.state();
        idlePowerWatts = s.idlePowerWatts();
        peakPowerWatts = s.peakPowerWatts();
        hardwareSource = source;
    }

    /**
     * The record the API returns; accelerators by index, devices by name. The agent counts as connected when it
     * heartbeated within {@code heartbeatTimeoutSeconds}; its age is whole seconds, at least 0 (a heartbeat time in
     * the future counts as 0).
     */
    ServerView view(long heartbeatTimeoutSeconds) {
        Long age = agentAgeSeconds == null ? null : Math.max(0L, (long) Math.floor(agentAgeSeconds));
        return new ServerView(name, rack, cpuMillis, memoryMib, networkMbps, labels, state, stateReason,
                age != null && age <= heartbeatTimeoutSeconds, age, idlePowerWatts, peakPowerWatts,
                accelerators.stream().map(StoredAccelerator::spec).toList(),
                localDevices.stream().map(StoredLocalDevice::spec).toList(), hardwareSource, version, createdAt,
                updatedAt);
    }

    Long id() {
        return id;
    }
}
