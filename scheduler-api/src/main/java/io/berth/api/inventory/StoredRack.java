package io.berth.api.inventory;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row of {@code racks} (V1): read and deleted through Spring Data by {@link TopologyService}, as
 * {@link TopologySpecs.RackSpec} records (never as managed entities); created and imported with explicit SQL by
 * {@link TopologyRepository}. {@code leafSwitch} null = none.
 */
@Entity
@Table(name = "racks")
class StoredRack {
    @Id
    private String name;
    private String zone;
    @Column(name = "leaf_switch")
    private String leafSwitch;

    protected StoredRack() {
    }
}
