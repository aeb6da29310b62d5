package io.berth.api.inventory;

import io.berth.core.inventory.SwitchTier;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row of {@code switches} (V1): read and deleted through Spring Data by {@link TopologyService}, as
 * {@link TopologySpecs.SwitchSpec} records (never as managed entities); created and imported with explicit SQL by
 * {@link TopologyRepository}. {@code zone} null = none.
 */
@Entity
@Table(name = "switches")
class StoredSwitch {
    @Id
    private String name;
    @Enumerated(EnumType.STRING)
    private SwitchTier tier;
    private String zone;

    protected StoredSwitch() {
    }
}
