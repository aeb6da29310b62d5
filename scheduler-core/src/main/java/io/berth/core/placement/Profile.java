package io.berth.core.placement;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which plugins run and with which weights. Names are checked against a {@link PluginRegistry} when the engine
 * is built: an unknown name or a weight outside {@link #MIN_WEIGHT}..{@link #MAX_WEIGHT} fails there.
 *
 * @param filters       filter plugin names, run in this order (the first failure is the server's reason)
 * @param scoreWeights  score plugin name to weight, in evaluation order; empty = every feasible candidate ties
 *                      and the engine picks one at random (with the cycle's seed)
 * @param maxFeasible   0 = score every feasible server (exact); n > 0 = stop after n feasible servers found through
 *                      the free-GPU index, tightest bucket first (Kubernetes' percentageOfNodesToScore idea), for
 *                      very large clusters
 */
public record Profile(String name, List<String> filters, Map<String, Integer> scoreWeights, int maxFeasible) {
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10_000;

    public Profile {
        Objects.requireNonNull(name, "name");
        filters = List.copyOf(filters);
        scoreWeights = Collections.unmodifiableMap(new LinkedHashMap<>(scoreWeights));
        if (maxFeasible < 0) throw new IllegalArgumentException("maxFeasible must be >= 0");
    }

    public Profile withMaxFeasible(int n) {
        return new Profile(name, filters, scoreWeights, n);
    }
}
