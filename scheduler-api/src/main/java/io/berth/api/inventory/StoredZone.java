package io.berth.api.inventory;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row of {@code zones} (V1): read and deleted through Spring Data by {@link TopologyService}, as
 * {@link TopologySpecs.ZoneSpec} records (never as managed entities); created and imported with explicit SQL by
 * {@link TopologyRepository}.
 */
@Entity
@Table(name = "zones")
class StoredZone {
    @Id
    private String name;

    protected StoredZone() {
    }
}
