package io.berth.api.inventory;

import io.berth.api.inventory.TopologySpecs.LinkSpec;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.util.List;

/**
 * The whole inventory as one document: what export returns and import accepts (JSON or YAML).
 * Every list may be omitted (treated as empty). Import upserts by name, so importing it twice changes nothing.
 */
public record InventoryDocument(List<@NotNull @Valid ZoneSpec> zones,
                                List<@NotNull @Valid RackSpec> racks,
                                List<@NotNull @Valid SwitchSpec> switches,
                                List<@NotNull @Valid LinkSpec> links,
                                List<@NotNull @Valid ServerSpec> servers,
                                List<@NotNull @Valid VolumeSpec> sharedVolumes) {
    public InventoryDocument {
        zones = zones == null ? List.of() : zones;
        racks = racks == null ? List.of() : racks;
        switches = switches == null ? List.of() : switches;
        links = links == null ? List.of() : links;
        servers = servers == null ? List.of() : servers;
        sharedVolumes = sharedVolumes == null ? List.of() : sharedVolumes;
    }
}
