package io.berth.core.inventory;

import java.util.List;

/** A whole data center: the document the inventory export returns and the placement snapshot is built from. */
public record Inventory(List<Zone> zones, List<Rack> racks, List<NetworkSwitch> switches, List<NetworkLink> links,
                        List<Server> servers, List<SharedVolume> sharedVolumes) {
    public Inventory {
        zones = zones == null ? List.of() : List.copyOf(zones);
        racks = racks == null ? List.of() : List.copyOf(racks);
        switches = switches == null ? List.of() : List.copyOf(switches);
        links = links == null ? List.of() : List.copyOf(links);
        servers = servers == null ? List.of() : List.copyOf(servers);
        sharedVolumes = sharedVolumes == null ? List.of() : List.copyOf(sharedVolumes);
    }

    public static Inventory ofServers(List<Server> servers) {
        return new Inventory(null, null, null, null, servers, null);
    }
}
