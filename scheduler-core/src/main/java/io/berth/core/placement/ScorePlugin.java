package io.berth.core.placement;

/**
 * A soft preference over feasible candidates (a server plus the GPUs chosen on it). Higher is better.
 * Without normalisation the score must lie in 0..100. With {@link #normalizes()} the raw score may be any long
 * and the engine maps the raw scores of one cycle linearly onto 0..100 (min to 0, max to 100; all equal: 100).
 * Pure function of the context; must not change the state.
 */
public interface ScorePlugin {
    int MAX_SCORE = 100;

    String name();

    /** @param gpus global GPU numbers chosen on the server (empty for CPU-only replicas) */
    long score(CycleContext ctx, int server, int[] gpus);

    default boolean normalizes() {
        return false;
    }
}
