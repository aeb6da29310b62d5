package io.berth.core.placement.plugins;

import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.Profile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The named profiles (also the trace replay's policy names). Unknown names fail with the list of known ones.
 * <ul>
 *   <li>random: any feasible server</li>
 *   <li>bestfit: most-allocated CPU+GPU (half and half)</li>
 *   <li>spread: least-allocated</li>
 *   <li>rtc: requested-to-capacity ratio, packing shape</li>
 *   <li>gpupacking: partly used GPUs, then partly used servers</li>
 *   <li>fgd: fragmentation gradient descent</li>
 *   <li>berth: Berth fill fragmentation (see {@link BerthFragScorer}) plus FGD at equal weight, CPU stranding at half
 *   weight ({@link CpuStrandingScorer}), GPU model scarcity at equal weight ({@link ModelScarcityScorer}), best fit
 *   as tie-break</li>
 * </ul>
 * Every profile but random also carries the topology scorer (it only matters for multi-replica jobs).
 */
public final class Profiles {
    public static final List<String> FILTERS = List.of("ready", "cpu", "memory", "gpu", "storage", "network");
    private static final Map<String, Map<String, Integer>> SCORERS = new TreeMap<>(Map.of(
            "random", Map.of(),
            "bestfit", ordered("most-allocated", 1, "topology", 1),
            "spread", ordered("least-allocated", 1, "topology", 1),
            "rtc", ordered("requested-to-capacity-ratio", 1, "topology", 1),
            "gpupacking", ordered("gpu-packing", 1, "topology", 1),
            "fgd", ordered("fgd", 1, "topology", 1),
            "berth", ordered("berth-frag", 100, "fgd", 100, "cpu-stranding", 50, "model-scarcity", 100,
                    "most-allocated", 1, "topology", 1)));

    private Profiles() {}

    public static List<String> names() {
        return List.copyOf(SCORERS.keySet());
    }

    /**
     * A named profile, or an ad-hoc one written as {@code scorer:weight,scorer:weight} (e.g.
     * {@code fgd:100,most-allocated:1}); its scorer names and weights are checked when the engine is built.
     *
     * @throws IllegalArgumentException for an unknown name or a malformed spec
     */
    public static Profile named(String name) {
        if (name.contains(":")) return new Profile(name, FILTERS, parse(name), 0);
        Map<String, Integer> scorers = SCORERS.get(name);
        if (scorers == null) throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + names());
        return new Profile(name, FILTERS, scorers, 0);
    }

    /** The named profile built against the built-in registry. */
    public static PlacementEngine engine(String name, PluginSettings settings) {
        return BuiltinPlugins.registry().engine(named(name), settings);
    }

    private static Map<String, Integer> parse(String spec) {
        var m = new LinkedHashMap<String, Integer>();
        for (String part : spec.split(",")) {
            String[] kv = part.split(":");
            if (kv.length != 2) throw new IllegalArgumentException("expected scorer:weight, got '" + part + "'");
            try {
                m.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("weight of " + kv[0] + " is not an integer: '" + kv[1] + "'");
            }
        }
        return m;
    }

    private static Map<String, Integer> ordered(Object... kv) {
        var m = new LinkedHashMap<String, Integer>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Integer) kv[i + 1]);
        return m;
    }
}
