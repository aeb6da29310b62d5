package io.berth.api.inventory;

import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * The data center as a graph: nodes are zones, racks, switches and servers; edges are containment (zone-rack,
 * rack-server, rack-leaf switch) and the network links with their bandwidth and latency.
 */
@Component
class TopologyGraph {
    private final InventoryService inventory;

    TopologyGraph(InventoryService inventory) {
        this.inventory = inventory;
    }

    /** @param kind zone, rack, switch or server; {@code parent} is the containing zone or rack (null for top level) */
    record Node(String id, String kind, String parent, int gpus) {
    }

    /** @param kind "contains" or "link"; bandwidth and latency only for links */
    record Edge(String from, String to, String kind, Long bandwidthMbps, Integer latencyMicros) {
    }

    record Graph(List<Node> nodes, List<Edge> edges) {
    }

    Graph build() {
        Inventory inv = inventory.snapshot();
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        inv.zones().forEach(z -> nodes.add(new Node(z.name(), "zone", null, 0)));
        inv.switches().forEach(s -> nodes.add(new Node(s.name(), "switch", s.zone(), 0)));
        inv.racks().forEach(r -> {
            nodes.add(new Node(r.name(), "rack", r.zone(), 0));
            edges.add(new Edge(r.zone(), r.name(), "contains", null, null));
            if (r.leafSwitch() != null) edges.add(new Edge(r.name(), r.leafSwitch(), "uplink", null, null));
        });
        for (Server s : inv.servers()) {
            nodes.add(new Node(s.name(), "server", s.rack(), s.gpuCount()));
            edges.add(new Edge(s.rack(), s.name(), "contains", null, null));
        }
        inv.links().forEach(l -> edges.add(new Edge(l.endpointA(), l.endpointB(), "link", l.bandwidthMbps(),
                l.latencyMicros())));
        return new Graph(nodes, edges);
    }
}
