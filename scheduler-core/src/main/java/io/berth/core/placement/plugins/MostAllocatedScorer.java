package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * Best-fit bin packing: score = (cpuUsedAfter/cpuCapacity + gpuUsedAfter/gpuCapacity) / 2 x 100, rounded down,
 * i.e. the server left with the least CPU+GPU over (half and half) scores highest. Servers without GPUs use
 * CPU alone. Range 0..100.
 */
final class MostAllocatedScorer implements ScorePlugin {
    public String name() { return "most-allocated"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        return Utilisation.cpuGpuAfter(ctx, s) * MAX_SCORE / 1000;
    }
}
