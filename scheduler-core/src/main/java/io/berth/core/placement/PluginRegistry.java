package io.berth.core.placement;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Plugins by name. Factories receive the {@link PluginSettings} of the engine being built and must do no I/O.
 * {@link #engine} validates a profile against the registry and fails fast with a message naming the problem.
 */
public final class PluginRegistry {
    private final Map<String, Function<PluginSettings, FilterPlugin>> filters = new TreeMap<>();
    private final Map<String, Function<PluginSettings, ScorePlugin>> scorers = new TreeMap<>();

    public PluginRegistry filter(String name, Function<PluginSettings, FilterPlugin> factory) {
        if (filters.putIfAbsent(name, factory) != null) throw new IllegalArgumentException("filter " + name + " registered twice");
        return this;
    }

    public PluginRegistry scorer(String name, Function<PluginSettings, ScorePlugin> factory) {
        if (scorers.putIfAbsent(name, factory) != null) throw new IllegalArgumentException("scorer " + name + " registered twice");
        return this;
    }

    /** @throws IllegalArgumentException for an unknown plugin name or a weight outside 1..10000 */
    public PlacementEngine engine(Profile profile, PluginSettings settings) {
        var fs = new FilterPlugin[profile.filters().size()];
        for (int i = 0; i < fs.length; i++) {
            String n = profile.filters().get(i);
            var f = filters.get(n);
            if (f == null) throw new IllegalArgumentException("profile " + profile.name() + ": unknown filter '" + n
                    + "'; known filters: " + filters.keySet());
            fs[i] = f.apply(settings);
        }
        var ss = new ScorePlugin[profile.scoreWeights().size()];
        var ws = new int[ss.length];
        int i = 0;
        for (var e : profile.scoreWeights().entrySet()) {
            var f = scorers.get(e.getKey());
            if (f == null) throw new IllegalArgumentException("profile " + profile.name() + ": unknown scorer '"
                    + e.getKey() + "'; known scorers: " + scorers.keySet());
            Integer w = e.getValue();
            if (w == null || w < Profile.MIN_WEIGHT || w > Profile.MAX_WEIGHT)
                throw new IllegalArgumentException("profile " + profile.name() + ": weight of scorer '" + e.getKey()
                        + "' must be " + Profile.MIN_WEIGHT + ".." + Profile.MAX_WEIGHT + ", was " + w);
            ss[i] = f.apply(settings);
            ws[i++] = w;
        }
        return new PlacementEngine(profile, fs, ss, ws);
    }
}
