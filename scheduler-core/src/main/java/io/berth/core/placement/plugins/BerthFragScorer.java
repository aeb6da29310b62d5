package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * Berth's fragmentation-aware scorer. Raw score, higher is better, lexicographic in effect:
 * first the growth of expected fragmentation (as FGD), then best fit (least CPU+GPU left on the server).
 * Normalised across candidates to 0..100.
 */
final class BerthFragScorer implements ScorePlugin {
    private final FragmentationModel model;

    BerthFragScorer(FragmentationModel model) {
        this.model = model;
    }

    public String name() { return "berth-frag"; }

    public boolean normalizes() { return true; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        long delta = FgdScorer.delta(model, ctx, s, gpus) / model.totalWeight(); // milli-GPU
        return -delta * 1000 + Utilisation.cpuGpuAfter(ctx, s);
    }
}
