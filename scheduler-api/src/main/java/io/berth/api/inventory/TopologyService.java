package io.berth.api.inventory;

import io.berth.api.db.JpaTransactional;
import io.berth.api.errors.NotFound;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import org.springframework.stereotype.Service;

import java.util.List;

/**
 * The topology's collections as the API reads and deletes them: zones, racks, switches, links and shared volumes on
 * Spring Data JPA, in transactions of the JPA manager. Called by {@code TopologyController} only, outside any
 * transaction.
 * <p>
 * What runs inside the inventory's JDBC transactions stays explicit SQL in {@link TopologyRepository}, without a
 * transaction of its own, so it works in either kind: the import (ON CONFLICT upserts next to the servers), the
 * creation of one object (its references, links to servers included, are checked in the same transaction, and a
 * duplicate name is a {@code DuplicateKeyException}, answered 409 "already exists"), the rack an agent's registration
 * creates, the links a server's deletion removes, and the topology in {@link InventoryService#snapshot()}, which a
 * batch submission reads inside its transaction (feasibility). See {@link io.berth.api.db.JpaConfiguration}.
 * Deleting an object others refer to (a zone with racks, a rack with servers) violates a foreign key: 409.
 */
@Service
class TopologyService {
    private final ZoneRepository zones;
    private final RackRepository racks;
    private final SwitchRepository switches;
    private final NetworkLinkRepository links;
    private final VolumeRepository volumes;
    private final TopologyRepository sql;

    TopologyService(ZoneRepository zones, RackRepository racks, SwitchRepository switches, NetworkLinkRepository links,
                    VolumeRepository volumes, TopologyRepository sql) {
        this.zones = zones;
        this.racks = racks;
        this.switches = switches;
        this.links = links;
        this.volumes = volumes;
        this.sql = sql;
    }

    /** Ordered by name, as are racks, switches and volumes. */
    @JpaTransactional(readOnly = true)
    List<ZoneSpec> zones() {
        return zones.findAllByOrderByName();
    }

    @JpaTransactional(readOnly = true)
    List<RackSpec> racks() {
        return racks.findAllByOrderByName();
    }

    @JpaTransactional(readOnly = true)
    RackSpec rack(String name) {
        return racks.findByName(name).orElseThrow(() -> NotFound.of("rack", name));
    }

    @JpaTransactional(readOnly = true)
    List<SwitchSpec> switches() {
        return switches.findAllByOrderByName();
    }

    /** Ordered by id. */
    @JpaTransactional(readOnly = true)
    List<TopologyRepository.StoredLink> links() {
        return links.findAllByOrderById();
    }

    @JpaTransactional(readOnly = true)
    List<VolumeSpec> volumes() {
        return volumes.findAllByOrderByName().stream().map(StoredVolume::spec).toList();
    }

    @JpaTransactional(readOnly = true)
    VolumeSpec volume(String name) {
        return volumes.findByName(name).map(StoredVolume::spec).orElseThrow(() -> NotFound.of("volume", name));
    }

    @JpaTransactional
    void deleteZone(String name) {
        if (zones.deleteByName(name) == 0) throw NotFound.of("zone", name);
    }

    @JpaTransactional
    void deleteRack(String name) {
        if (racks.deleteByName(name) == 0) throw NotFound.of("rack", name);
    }

    /** Deletes the switch and every link to it (the links' SQL runs on this transaction's connection). */
    @JpaTransactional
    void deleteSwitch(String name) {
        sql.deleteLinksOf(name);
        if (switches.deleteByName(name) == 0) throw NotFound.of("switch", name);
    }

    @JpaTransactional
    void deleteVolume(String name) {
        if (volumes.deleteByName(name) == 0) throw NotFound.of("volume", name);
    }

    @JpaTransactional
    void deleteLink(long id) {
        if (links.deleteById(id) == 0) throw NotFound.of("link", Long.toString(id));
    }
}
