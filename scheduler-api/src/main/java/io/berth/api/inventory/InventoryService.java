package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.api.errors.NotFound;
import io.berth.api.inventory.TopologySpecs.LinkSpec;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.NetworkLink;
import io.berth.core.inventory.NetworkSwitch;
import io.berth.core.inventory.Rack;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.SharedVolume;
import io.berth.core.inventory.Zone;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The inventory feature's facade for what runs in JDBC transactions: the whole inventory (snapshot, export, import),
 * the topology's creates, agent registration, node sync, drains the health policy and the heartbeat monitor start
 * and settle, and the allocation views. Every write runs in one transaction and checks references (rack, zone,
 * switch, link endpoints) first, so bad input is refused with a 400 naming the field and nothing is stored.
 * <p>
 * The servers stay explicit SQL here ({@link ServerRepository}) where speed or the transaction needs it: the import
 * (batched upserts of thousands of servers), an agent's registration (on its hot path, inside the registration's
 * transaction), node sync's replacements (inside its transaction), the snapshot the scheduling cycle and a batch
 * submission read. The REST API's reads and writes of single servers are {@link ServerService}'s, on Spring Data.
 */
@Service
public class InventoryService {
    private final ServerRepository servers;
    private final TopologyRepository topology;
    private final InventoryChecks checks;

    InventoryService(ServerRepository servers, TopologyRepository topology, InventoryChecks checks) {
        this.servers = servers;
        this.topology = topology;
        this.checks = checks;
    }

    // ---------------------------------------------------------------- servers

    /**
     * Node sync's write of one Kubernetes Node: creates its zone and its rack (in that zone) when missing, an existing
     * rack keeping its zone, then creates or replaces the server as {@link #putServer} does. One transaction: a
     * refused server leaves no zone or rack behind. Returns true when the server was created.
     */
    @Transactional
    public boolean syncNodeServer(ServerSpec spec, String zone) {
        topology.upsertZone(new ZoneSpec(zone));
        topology.ensureRack(spec.rackOrDefault(), zone);
        return putServer(spec);
    }

    /**
     * Creates or replaces the server as an operator describes it; returns true when it was created. Usage counters
     * are kept; a replacement that would remove or shrink a resource jobs hold is refused with a 409 naming the
     * resources and their holders, and nothing changes. The caller owns the transaction; the API's replacement is
     * {@link ServerService#put}, on Spring Data.
     */
    private boolean putServer(ServerSpec spec) {
        checks.validateServer(spec);
        Server server = spec.toServer();
        Holdings held = servers.lockHoldings(List.of(server.name())).get(server.name());
        if (held != null) {
            List<FieldError> refused = held.refusals(server, "");
            if (!refused.isEmpty()) throw InventoryConflict.inUse(refused);
        }
        return servers.upsert(server, HardwareSource.OPERATOR);
    }

    /** The names of every server, in name order. */
    @Transactional(readOnly = true)
    public List<String> serverNames() {
        return servers.names();
    }

    /** What an agent's registration did to its server's description ({@link #registerAgentServer}). */
    public enum AgentRegistration {
        /** a new server, described by the agent */
        CREATED,
        /** the agent's own description, replaced by the hardware it found now */
        UPDATED,
        /** the agent's own description, unchanged */
        UNCHANGED,
        /** an operator's description, which the agent's hardware covers; kept as it is */
        ADOPTED
    }

    /**
     * Describes the server of a registering node agent by the hardware it found (its state and power figures as the
     * caller keeps them). A server the agent described before is updated, refusing (409) to remove or shrink held
     * resources, as for an operator's edit; a restart with the same hardware writes nothing and keeps the usage. A
     * server an operator described is adopted only if the agent's hardware covers it ({@link AgentAdoption}) and is
     * then left as described; otherwise 409 listing the differences. The agent's rack is created in the default zone
     * when the agent's description is written and the rack is unknown.
     */
    @Transactional
    public AgentRegistration registerAgentServer(ServerSpec found) {
        Server server = found.toServer();
        Holdings held = servers.lockHoldings(List.of(server.name())).get(server.name());
        if (held != null && held.source() == HardwareSource.OPERATOR) {
            Server described = servers.find(server.name()).orElseThrow().toSpec().toServer();
            List<FieldError> differences = AgentAdoption.differences(described, server);
            if (!differences.isEmpty()) throw InventoryConflict.hardwareMismatch(server.name(), differences);
            return AgentRegistration.ADOPTED;
        }
        if (held != null) {
            if (servers.find(server.name()).orElseThrow().toSpec().toServer().equals(server))
                return AgentRegistration.UNCHANGED;
            List<FieldError> refused = held.refusals(server, "");
            if (!refused.isEmpty()) throw InventoryConflict.inUse(refused);
        }
        topology.ensureRack(server.rack(), "default");
        checks.validateServer(found);
        if (held == null) {
            servers.insert(server, HardwareSource.AGENT);
            return AgentRegistration.CREATED;
        }
        servers.upsert(server, HardwareSource.AGENT);
        return AgentRegistration.UPDATED;
    }

    /**
     * The stored server, read with explicit SQL on the caller's transaction: an agent's registration reads it inside
     * its JDBC transaction. The API's reads are {@link ServerService}'s.
     */
    @Transactional(readOnly = true)
    public java.util.Optional<ServerView> findServer(String name) {
        return servers.find(name);
    }

    @Transactional(readOnly = true)
    public ServerView server(String name) {
        return servers.find(name).orElseThrow(() -> NotFound.of("server", name));
    }

    // The allocation views stay explicit SQL: each is one read joining the servers with scheduling's usage counters
    // and the holders' workers and jobs.

    /** What is allocated on the server; holders of tenants other than {@code holderTenant} (when set) left out. */
    @Transactional(readOnly = true)
    public ServerAllocation allocation(String name, String holderTenant) {
        return servers.allocations(name, holderTenant).stream().findFirst()
                .orElseThrow(() -> NotFound.of("server", name));
    }

    @Transactional(readOnly = true)
    public ServerAllocation.Cluster clusterAllocation() {
        List<ServerAllocation> all = servers.allocations(null, null);
        return new ServerAllocation.Cluster(all.stream().map(ServerAllocation::summary).toList(),
                ServerAllocation.count(all.stream().flatMap(s -> s.accelerators().stream()).toList()));
    }

    /**
     * Drains the server: no new work is placed on it, running work continues, and it becomes DRAINED as soon as no
     * worker is active on it (at once when none is; otherwise within about a second of the last one ending, see
     * {@link #settleDrains()}). {@code reason} (may be null) says why. 404 when it does not exist. For the health
     * policy, inside its JDBC transaction; the API's drain is {@link ServerService#drain}, with the same statement.
     */
    @Transactional
    public ServerView drain(String name, String reason) {
        if (!servers.drain(name, reason)) throw NotFound.of("server", name);
        return server(name);
    }

    /** Moves DRAINING servers whose work has ended to DRAINED (and back, see the repository). Idempotent. */
    @Transactional
    public List<String> settleDrains() {
        return servers.settleDrains();
    }

    // ---------------------------------------------------------------- topology collections
    // Created here, in a JDBC transaction, checking references against the stored topology and servers; read and
    // deleted through Spring Data by TopologyService (JPA).

    @Transactional
    public void createZone(ZoneSpec zone) {
        topology.insertZone(zone);
    }

    @Transactional
    public void createSwitch(SwitchSpec sw) {
        checks.validate(new InventoryDocument(null, null, List.of(sw), null, null, null), false);
        topology.insertSwitch(sw);
    }

    @Transactional
    public void createRack(RackSpec rack) {
        checks.validate(new InventoryDocument(null, List.of(rack), null, null, null, null), false);
        topology.insertRack(rack);
    }

    @Transactional
    public long createLink(LinkSpec link) {
        checks.validate(new InventoryDocument(null, null, null, List.of(link), null, null), false);
        return topology.insertLink(link);
    }

    @Transactional
    public void createVolume(VolumeSpec volume) {
        checks.validate(new InventoryDocument(null, null, null, null, null, List.of(volume)), false);
        topology.insertVolume(volume);
    }

    // ---------------------------------------------------------------- whole inventory

    /** The whole inventory as core records: what the placement snapshot is built from. */
    @Transactional(readOnly = true)
    public Inventory snapshot() {
        return new Inventory(
                topology.zones().stream().map(z -> new Zone(z.name())).toList(),
                topology.racks().stream().map(r -> new Rack(r.name(), r.zone(), r.leafSwitch())).toList(),
                topology.switches().stream().map(s -> new NetworkSwitch(s.name(), s.tier(), s.zone())).toList(),
                topology.links().stream().map(l -> new NetworkLink(l.endpointA(), l.endpointB(), l.bandwidthMbps(),
                        l.latencyMicros())).toList(),
                servers.all(),
                topology.volumes().stream().map(v -> new SharedVolume(v.name(), v.kind(), v.capacityGib(),
                        v.bandwidthMbPerSec(), v.racks())).toList());
    }

    @Transactional(readOnly = true)
    public InventoryDocument export() {
        return new InventoryDocument(topology.zones(), topology.racks(), topology.switches(),
                topology.links().stream().map(TopologyRepository.StoredLink::spec).toList(),
                servers.all().stream().map(ServerSpec::of).toList(), topology.volumes());
    }

    /** What an import changed. Counts of created and updated objects, by kind; re-importing the same data creates 0. */
    public record ImportResult(int serversCreated, int serversUpdated, int serversUnchanged, int zonesCreated,
                               int racksCreated, int switchesCreated, int linksCreated, int volumesCreated) {
    }

    /**
     * Imports a whole document in one transaction: all or nothing. Objects are upserted by name (links by their two
     * endpoints), so importing the same document twice duplicates nothing; a server equal to the stored one is not
     * touched (its version stays).
     */
    @Transactional
    public ImportResult importDocument(InventoryDocument doc) {
        return importDocument(doc, i -> "servers[" + i + "].");
    }

    /** Imports the servers of a node-list CSV like a document; refusals name the CSV row ({@code rows[2].}). */
    @Transactional
    public ImportResult importNodeList(List<ServerSpec> rows) {
        return importDocument(new InventoryDocument(null, null, null, null, rows, null), i -> "rows[" + (i + 1) + "].");
    }

    private ImportResult importDocument(InventoryDocument doc, IntFunction<String> serverPath) {
        checks.validate(doc, true);
        refuseRemovingHeldResources(doc.servers(), serverPath);
        int zones = count(doc.zones(), topology::upsertZone);
        // switches may name zones, racks may name switches: insert in dependency order.
        int switches = count(doc.switches(), topology::upsertSwitch);
        int racks = count(doc.racks(), topology::upsertRack);
        Map<String, Server> stored = new HashMap<>();
        if (!doc.servers().isEmpty()) servers.all().forEach(s -> stored.put(s.name(), s));
        int created = 0;
        int unchanged = 0;
        for (ServerSpec spec : doc.servers()) {
            Server server = spec.toServer();
            if (server.equals(stored.get(server.name()))) unchanged++;
            else if (servers.upsert(server, HardwareSource.OPERATOR)) created++;
        }
        int links = count(doc.links(), topology::upsertLink);
        int volumes = count(doc.sharedVolumes(), topology::upsertVolume);
        return new ImportResult(created, doc.servers().size() - created - unchanged, unchanged, zones, racks, switches,
                links, volumes);
    }

    /**
     * Locks the stored servers a document replaces and refuses (409, nothing written) if any replacement would remove
     * or shrink what jobs hold there. An import only upserts: servers missing from the document are kept.
     */
    private void refuseRemovingHeldResources(List<ServerSpec> specs, IntFunction<String> path) {
        if (specs.isEmpty()) return;
        Map<String, Holdings> held = servers.lockHoldings(specs.stream().map(ServerSpec::name).toList());
        List<FieldError> refused = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Holdings h = held.get(specs.get(i).name());
            if (h != null) refused.addAll(h.refusals(specs.get(i).toServer(), path.apply(i)));
        }
        if (!refused.isEmpty()) throw InventoryConflict.inUse(refused);
    }

    private static <T> int count(List<T> items, Function<T, Boolean> upsert) {
        int created = 0;
        for (T item : items) {
            if (upsert.apply(item)) created++;
        }
        return created;
    }

}
