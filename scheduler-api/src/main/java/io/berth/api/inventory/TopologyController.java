package io.berth.api.inventory;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.berth.api.inventory.TopologySpecs.LinkSpec;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

/** Zones, racks, switches, links and shared volumes as collections, and the topology graph. */
@RestController
@RequestMapping("/api/v1")
class TopologyController {
    private final InventoryService inventory;
    private final TopologyService topology;
    private final TopologyGraph graph;

    TopologyController(InventoryService inventory, TopologyService topology, TopologyGraph graph) {
        this.inventory = inventory;
        this.topology = topology;
        this.graph = graph;
    }

    @GetMapping("/topology")
    TopologyGraph.Graph topology() {
        return graph.build();
    }

    @GetMapping("/zones")
    List<ZoneSpec> zones() {
        return topology.zones();
    }

    @PostMapping("/zones")
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    ResponseEntity<ZoneSpec> createZone(@Valid @RequestBody ZoneSpec zone) {
        inventory.createZone(zone);
        return ResponseEntity.created(URI.create("/api/v1/zones/" + zone.name())).body(zone);
    }

    @DeleteMapping("/zones/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteZone(@PathVariable String name) {
        topology.deleteZone(name);
    }

    @GetMapping("/racks")
    List<RackSpec> racks() {
        return topology.racks();
    }

    @GetMapping("/racks/{name}")
    RackSpec rack(@PathVariable String name) {
        return topology.rack(name);
    }

    @PostMapping("/racks")
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    ResponseEntity<RackSpec> createRack(@Valid @RequestBody RackSpec rack) {
        inventory.createRack(rack);
        return ResponseEntity.created(URI.create("/api/v1/racks/" + rack.name())).body(rack);
    }

    @DeleteMapping("/racks/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteRack(@PathVariable String name) {
        topology.deleteRack(name);
    }

    @GetMapping("/switches")
    List<SwitchSpec> switches() {
        return topology.switches();
    }

    @PostMapping("/switches")
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    ResponseEntity<SwitchSpec> createSwitch(@Valid @RequestBody SwitchSpec sw) {
        inventory.createSwitch(sw);
        return ResponseEntity.created(URI.create("/api/v1/switches/" + sw.name())).body(sw);
    }

    @DeleteMapping("/switches/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteSwitch(@PathVariable String name) {
        topology.deleteSwitch(name);
    }

    @GetMapping("/links")
    List<TopologyRepository.StoredLink> links() {
        return topology.links();
    }

    @PostMapping("/links")
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    ResponseEntity<TopologyRepository.StoredLink> createLink(@Valid @RequestBody LinkSpec link) {
        long id = inventory.createLink(link);
        LinkSpec l = link.normalized();
        return ResponseEntity.created(URI.create("/api/v1/links/" + id))
                .body(new TopologyRepository.StoredLink(id, l.endpointA(), l.endpointB(), l.bandwidthMbps(),
                        l.latencyMicros()));
    }

    @DeleteMapping("/links/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteLink(@PathVariable long id) {
        topology.deleteLink(id);
    }

    @GetMapping("/volumes")
    List<VolumeSpec> volumes() {
        return topology.volumes();
    }

    @GetMapping("/volumes/{name}")
    VolumeSpec volume(@PathVariable String name) {
        return topology.volume(name);
    }

    @PostMapping("/volumes")
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    ResponseEntity<VolumeSpec> createVolume(@Valid @RequestBody VolumeSpec volume) {
        inventory.createVolume(volume);
        return ResponseEntity.created(URI.create("/api/v1/volumes/" + volume.name())).body(volume);
    }

    @DeleteMapping("/volumes/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteVolume(@PathVariable String name) {
        topology.deleteVolume(name);
    }
}
