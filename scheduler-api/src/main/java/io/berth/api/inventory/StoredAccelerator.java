package io.berth.api.inventory;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.io.Serializable;
import java.util.Objects;

/**
 * A row of {@code accelerators} (V1), part of its {@link StoredServer}: identified by the server and its index.
 * The health fields an agent's probe, the health policy and an operator write ({@code health_reason},
 * {@code health_latched}, {@code health_changed_at}, see {@link ServerStatus}) are SQL's: only the latch is read
 * here, so that a replacement keeps a latched health. Memory in MiB.
 */
@Entity
@Table(name = "accelerators")
@IdClass(StoredAccelerator.Key.class)
@DynamicUpdate
class StoredAccelerator {
    @Id
    @ManyToOne
    @JoinColumn(name = "server_id")
    private StoredServer server;
    @Id
    private int idx;
    @Enumerated(EnumType.STRING)
    private AcceleratorKind kind;
    private String vendor;
    private String model;
    @Column(name = "memory_mib")
    private int memoryMib;
    @Column(name = "interconnect_domain")
    private String interconnectDomain;
    @Enumerated(EnumType.STRING)
    private AcceleratorHealth health;
    /** Set by the health policy or an operator: the health stays whatever a description says (V12). */
    @Column(name = "health_latched", insertable = false, updatable = false)
    private boolean healthLatched;

    protected StoredAccelerator() {
    }

    StoredAccelerator(StoredServer server, Accelerator a) {
        this.server = server;
        this.idx = a.index();
        describe(a);
    }

    /** Takes the description's fields; a latched health stays (as the import's upsert keeps it). */
    void describe(Accelerator a) {
        kind = a.kind();
        vendor = a.vendor();
        model = a.model();
        memoryMib = a.memoryMib();
        interconnectDomain = a.interconnectDomain();
        if (!healthLatched) health = a.health();
    }

    int index() {
        return idx;
    }

    AcceleratorSpec spec() {
        return AcceleratorSpec.of(new Accelerator(idx, kind, vendor, model, memoryMib, interconnectDomain, health));
    }

    /** The primary key (server_id, idx); {@code server} is the server's id. */
    static final class Key implements Serializable {
        private Long server;
        private int idx;

        Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(server, k.server) && idx == k.idx;
        }

        @Override
        public int hashCode() {
            return Objects.hash(server, idx);
        }
    }
}
