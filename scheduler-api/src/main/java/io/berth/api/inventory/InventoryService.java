package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import io.berth.api.inventory.TopologySpecs.LinkSpec;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import io.berth.api.paging.Page;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.NetworkLink;
import io.berth.core.inventory.NetworkSwitch;
import io.berth.core.inventory.Rack;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.inventory.SharedVolume;
import io.berth.core.inventory.Zone;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The inventory feature's facade. Every write runs in one transaction and checks references (rack, zone, switch, link
 * endpoints) first, so bad input is refused with a 400 naming the field and nothing is stored.
 */
@Service
public class InventoryService {
    private final ServerRepository servers;
    private final TopologyRepository topology;

    InventoryService(ServerRepository servers, TopologyRepository topology) {
        this.servers = servers;
        this.topology = topology;
    }

    // ---------------------------------------------------------------- servers

    @Transactional
    public ServerView createServer(ServerSpec spec) {
        validate(new InventoryDocument(null, null, null, null, List.of(spec), null), false);
        servers.insert(spec.toServer(), HardwareSource.OPERATOR);
        return servers.find(spec.name()).orElseThrow();
    }

    /**
     * Creates or replaces the server as an operator describes it; returns true when it was created. Usage counters
     * are kept; a replacement that would remove or shrink a resource jobs hold is refused with a 409 naming the
     * resources and their holders, and nothing changes.
     */
    @Transactional
    public boolean putServer(ServerSpec spec) {
        validate(new InventoryDocument(null, null, null, null, List.of(spec), null), false);
        Server server = spec.toServer();
        Holdings held = servers.lockHoldings(List.of(server.name())).get(server.name());
        if (held != null) {
            List<FieldError> refused = held.refusals(server, "");
            if (!refused.isEmpty()) throw InventoryConflict.inUse(refused);
        }
        return servers.upsert(server, HardwareSource.OPERATOR);
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
        validate(new InventoryDocument(null, null, null, null, List.of(found), null), false);
        if (held == null) {
            servers.insert(server, HardwareSource.AGENT);
            return AgentRegistration.CREATED;
        }
        servers.upsert(server, HardwareSource.AGENT);
        return AgentRegistration.UPDATED;
    }

    @Transactional(readOnly = true)
    public java.util.Optional<ServerView> findServer(String name) {
        return servers.find(name);
    }

    @Transactional(readOnly = true)
    public ServerView server(String name) {
        return servers.find(name).orElseThrow(() -> NotFound.of("server", name));
    }

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

    @Transactional(readOnly = true)
    public Page<ServerView> servers(ServerRepository.Filter filter, int page, int size) {
        return new Page<>(servers.list(filter, page * size, size), page, size, servers.count(filter));
    }

    /** Sets the state with its reason (null: none given; READY clears it). */
    @Transactional
    public ServerView changeState(String name, ServerState state, String reason) {
        if (!servers.updateState(name, state, reason)) throw NotFound.of("server", name);
        return server(name);
    }

    /**
     * Drains the server: no new work is placed on it, running work continues, and it becomes DRAINED as soon as no
     * worker is active on it (at once when none is; otherwise within about a second of the last one ending, see
     * {@link #settleDrains()}). {@code reason} (may be null) says why. 404 when it does not exist.
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

    /** Deletes the server; 409 naming the holders while jobs hold any of its resources. */
    @Transactional
    public void deleteServer(String name) {
        Holdings held = servers.lockHoldings(List.of(name)).get(name);
        if (held != null && held.inUse())
            throw InventoryConflict.inUse(List.of(new FieldError("name", "server " + name + " is held by "
                    + held.holders(h -> true))));
        if (!servers.delete(name)) throw NotFound.of("server", name);
        topology.deleteLinksOf(name);
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
        validate(new InventoryDocument(null, null, List.of(sw), null, null, null), false);
        topology.insertSwitch(sw);
    }

    @Transactional
    public void createRack(RackSpec rack) {
        validate(new InventoryDocument(null, List.of(rack), null, null, null, null), false);
        topology.insertRack(rack);
    }

    @Transactional
    public long createLink(LinkSpec link) {
        validate(new InventoryDocument(null, null, null, List.of(link), null, null), false);
        return topology.insertLink(link);
    }

    @Transactional
    public void createVolume(VolumeSpec volume) {
        validate(new InventoryDocument(null, null, null, null, null, List.of(volume)), false);
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
        validate(doc, true);
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

    /**
     * Checks what Bean Validation cannot: duplicates inside the document, cross-field rules, and that every reference
     * names an object in the document or already stored. Throws one 400 listing every problem found. Field paths are
     * {@code servers[3].rack} for a document and plain {@code rack} for a single object.
     */
    private void validate(InventoryDocument doc, boolean document) {
        Paths p = new Paths(document);
        List<FieldError> errors = new ArrayList<>();
        duplicates(doc.zones(), ZoneSpec::name, "zones", errors);
        duplicates(doc.racks(), RackSpec::name, "racks", errors);
        duplicates(doc.switches(), SwitchSpec::name, "switches", errors);
        duplicates(doc.servers(), ServerSpec::name, "servers", errors);
        duplicates(doc.sharedVolumes(), VolumeSpec::name, "sharedVolumes", errors);

        Set<String> zones = known("zones", doc.zones().stream().map(ZoneSpec::name).toList(),
                concat(doc.racks().stream().map(RackSpec::zone).toList(),
                        doc.switches().stream().map(SwitchSpec::zone).toList()));
        Set<String> switches = known("switches", doc.switches().stream().map(SwitchSpec::name).toList(),
                concat(doc.racks().stream().map(RackSpec::leafSwitch).toList(),
                        doc.links().stream().flatMap(l -> java.util.stream.Stream.of(l.endpointA(), l.endpointB())).toList()));
        Set<String> racks = known("racks", doc.racks().stream().map(RackSpec::name).toList(),
                concat(doc.servers().stream().map(ServerSpec::rackOrDefault).toList(),
                        doc.sharedVolumes().stream().flatMap(v -> v.racks() == null ? java.util.stream.Stream.<String>empty()
                                : v.racks().stream()).toList()));
        Set<String> serverNames = known("servers", doc.servers().stream().map(ServerSpec::name).toList(),
                doc.links().stream().flatMap(l -> java.util.stream.Stream.of(l.endpointA(), l.endpointB())).toList());

        for (int i = 0; i < doc.switches().size(); i++) {
            SwitchSpec s = doc.switches().get(i);
            if (s.zone() != null && !zones.contains(s.zone()))
                errors.add(new FieldError(p.at("switches", i, "zone"), "unknown zone '" + s.zone() + "'"));
        }
        for (int i = 0; i < doc.racks().size(); i++) {
            RackSpec r = doc.racks().get(i);
            if (!zones.contains(r.zone()))
                errors.add(new FieldError(p.at("racks", i, "zone"), "unknown zone '" + r.zone() + "'"));
            if (r.leafSwitch() != null && !switches.contains(r.leafSwitch()))
                errors.add(new FieldError(p.at("racks", i, "leafSwitch"), "unknown switch '" + r.leafSwitch() + "'"));
        }
        for (int i = 0; i < doc.servers().size(); i++) {
            ServerSpec s = doc.servers().get(i);
            if (!racks.contains(s.rackOrDefault()))
                errors.add(new FieldError(p.at("servers", i, "rack"), "unknown rack '" + s.rackOrDefault() + "'"));
            errors.addAll(s.crossFieldErrors(p.at("servers", i, "")));
        }
        Set<String> linkKeys = new HashSet<>();
        for (int i = 0; i < doc.links().size(); i++) {
            LinkSpec l = doc.links().get(i).normalized();
            if (l.endpointA().equals(l.endpointB()))
                errors.add(new FieldError(p.at("links", i, "endpointB"), "a link needs two different endpoints"));
            for (String end : List.of(l.endpointA(), l.endpointB())) {
                if (!switches.contains(end) && !serverNames.contains(end))
                    errors.add(new FieldError(p.at("links", i, end.equals(doc.links().get(i).endpointA()) ? "endpointA" : "endpointB"),
                            "unknown server or switch '" + end + "'"));
            }
            if (!linkKeys.add(l.endpointA() + "\u0000" + l.endpointB()))
                errors.add(new FieldError(p.at("links", i, "endpointB"), "duplicate link " + l.endpointA() + " - " + l.endpointB()));
        }
        for (int i = 0; i < doc.sharedVolumes().size(); i++) {
            VolumeSpec v = doc.sharedVolumes().get(i);
            List<String> vr = v.racks() == null ? List.of() : v.racks();
            for (int j = 0; j < vr.size(); j++) {
                if (!racks.contains(vr.get(j)))
                    errors.add(new FieldError(p.at("sharedVolumes", i, "racks[" + j + "]"),
                            "unknown rack '" + vr.get(j) + "'"));
            }
        }
        if (!errors.isEmpty()) throw Invalid.fields(errors);
    }

    /** Field paths: {@code servers[3].rack} inside a document, {@code rack} for a single object. */
    private record Paths(boolean document) {
        String at(String collection, int index, String field) {
            if (!document) return field;
            String item = collection + "[" + index + "]";
            return field.isEmpty() ? item + "." : item + "." + field;
        }
    }

    /** Names defined in the document plus those of {@code referenced} that already exist in the table. */
    private Set<String> known(String table, Collection<String> defined, Collection<String> referenced) {
        Set<String> result = new HashSet<>(defined);
        Set<String> lookup = new HashSet<>();
        for (String r : referenced) {
            if (r != null && !result.contains(r)) lookup.add(r);
        }
        result.addAll(topology.existing(table, lookup));
        return result;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static <T> void duplicates(List<T> items, Function<T, String> name, String path, List<FieldError> errors) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String n = name.apply(items.get(i));
            if (n != null && !seen.add(n)) errors.add(new FieldError(path + "[" + i + "].name", "duplicate name '" + n + "'"));
        }
    }
}
