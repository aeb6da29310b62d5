package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import io.berth.api.inventory.TopologySpecs.LinkSpec;
import io.berth.api.inventory.TopologySpecs.RackSpec;
import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import io.berth.api.inventory.TopologySpecs.VolumeSpec;
import io.berth.api.inventory.TopologySpecs.ZoneSpec;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The inventory's checks of what it is asked to store, for both kinds of transaction: {@link InventoryService}'s
 * (JDBC: import, topology creates, agent registration, node sync) and {@link ServerService}'s (JPA: the API's single
 * servers). The references are looked up with explicit SQL without a transaction of its own
 * ({@link TopologyRepository#existing}), so they are read in the caller's transaction, whichever it is.
 */
@Component
class InventoryChecks {
    private final TopologyRepository topology;

    InventoryChecks(TopologyRepository topology) {
        this.topology = topology;
    }

    /** {@link #validate} of one server outside a document (field paths without a prefix). */
    void validateServer(ServerSpec server) {
        validate(new InventoryDocument(null, null, null, null, List.of(server), null), false);
    }

    /**
     * Checks what Bean Validation cannot: duplicates inside the document, cross-field rules, and that every reference
     * names an object in the document or already stored. Throws one 400 listing every problem found. Field paths are
     * {@code servers[3].rack} for a document and plain {@code rack} for a single object.
     */
    void validate(InventoryDocument doc, boolean document) {
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
