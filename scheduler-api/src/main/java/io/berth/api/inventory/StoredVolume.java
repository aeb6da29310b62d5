package io.berth.api.inventory;

import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.core.inventory.SharedVolumeKind;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;

import java.util.ArrayList;
import java.util.List;

/**
 * A row of {@code shared_volumes} (V1) with the racks it is reachable from ({@code shared_volume_racks}, ordered by
 * rack): read and deleted through Spring Data by {@link TopologyService}, which hands out {@link VolumeSpec} records;
 * created and imported with explicit SQL by {@link TopologyRepository}. Capacity in GiB, bandwidth in MB/s.
 */
@Entity
@Table(name = "shared_volumes")
class StoredVolume {
    @Id
    private String name;
    @Enumerated(EnumType.STRING)
    private SharedVolumeKind kind;
    @Column(name = "capacity_gib")
    private long capacityGib;
    @Column(name = "bandwidth_mb_per_sec")
    private int bandwidthMbPerSec;
    @ElementCollection
    @CollectionTable(name = "shared_volume_racks", joinColumns = @JoinColumn(name = "volume"))
    @Column(name = "rack")
    @OrderBy
    private List<String> racks = new ArrayList<>();

    protected StoredVolume() {
    }

    VolumeSpec spec() {
        return new VolumeSpec(name, kind, capacityGib, bandwidthMbPerSec, List.copyOf(racks));
    }
}
