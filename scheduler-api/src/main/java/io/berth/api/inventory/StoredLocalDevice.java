package io.berth.api.inventory;

import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.StorageMedium;
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

/** A row of {@code local_devices} (V1), part of its {@link StoredServer}: identified by the server and its name. */
@Entity
@Table(name = "local_devices")
@IdClass(StoredLocalDevice.Key.class)
@DynamicUpdate
class StoredLocalDevice {
    @Id
    @ManyToOne
    @JoinColumn(name = "server_id")
    private StoredServer server;
    @Id
    private String name;
    @Enumerated(EnumType.STRING)
    private StorageMedium medium;
    @Column(name = "capacity_gib")
    private long capacityGib;
    @Column(name = "read_mb_per_sec")
    private int readMbPerSec;
    @Column(name = "write_mb_per_sec")
    private int writeMbPerSec;

    protected StoredLocalDevice() {
    }

    StoredLocalDevice(StoredServer server, LocalDevice d) {
        this.server = server;
        this.name = d.name();
        describe(d);
    }

    void describe(LocalDevice d) {
        medium = d.medium();
        capacityGib = d.capacityGib();
        readMbPerSec = d.readMbPerSec();
        writeMbPerSec = d.writeMbPerSec();
    }

    String name() {
        return name;
    }

    LocalDeviceSpec spec() {
        return LocalDeviceSpec.of(new LocalDevice(name, medium, capacityGib, readMbPerSec, writeMbPerSec));
    }

    /** The primary key (server_id, name); {@code server} is the server's id. */
    static final class Key implements Serializable {
        private Long server;
        private String name;

        Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(server, k.server) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(server, name);
        }
    }
}
