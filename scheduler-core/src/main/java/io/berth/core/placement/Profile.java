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
 * @param tieBreak      how the engine chooses among servers whose weighted scores tie
 */
public record Profile(String name, List<String> filters, Map<String, Integer> scoreWeights, int maxFeasible,
                      TieBreak tieBreak) {
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10_000;

    public Profile {
        Objects.requireNonNull(name, "name");
        filters = List.copyOf(filters);
        scoreWeights = Collections.unmodifiableMap(new LinkedHashMap<>(scoreWeights));
        if (maxFeasible < 0) throw new IllegalArgumentException("maxFeasible must be >= 0");
        Objects.requireNonNull(tieBreak, "tieBreak");
    }

    /** A profile with random tie-breaks. */
    public Profile(String name, List<String> filters, Map<String, Integer> scoreWeights, int maxFeasible) {
        this(name, filters, scoreWeights, maxFeasible, TieBreak.RANDOM);
    }

    public Profile withMaxFeasible(int n) {
        return new Profile(name, filters, scoreWeights, n, tieBreak);
    }

    public Profile withTieBreak(TieBreak t) {
        return new Profile(name, filters, scoreWeights, maxFeasible, t);
    }

    /**
     * RANDOM: uniformly among the tied servers (with the cycle's seed), as the Kubernetes scheduler does.
     * PACKING: the tied server left with the least CPU+GPU over after the placement (best fit: used CPU / capacity
     * plus used GPU / capacity, half and half, exact), then at random among servers that still tie.
     */
    public enum TieBreak {
        RANDOM, PACKING;

        /** "random" or "packing" (case-insensitive). */
        public static TieBreak parse(String s) {
            for (TieBreak t : values()) if (t.name().equalsIgnoreCase(s)) return t;
            throw new IllegalArgumentException("unknown tie-break '" + s + "'; known: random, packing");
        }
    }
}
