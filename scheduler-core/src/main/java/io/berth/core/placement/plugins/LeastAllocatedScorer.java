package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/** Load-balancing spread: score = 100 - most-allocated score (the emptiest server wins). Range 0..100. */
final class LeastAllocatedScorer implements ScorePlugin {
    public String name() { return "least-allocated"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        return MAX_SCORE - Utilisation.cpuGpuAfter(ctx, s) * MAX_SCORE / 1000;
    }
}
