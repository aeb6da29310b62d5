package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.ScorePlugin;

import java.util.List;

/**
 * Berth's fragmentation-aware scorer: FGD's gradient step, measured with the saturating (fill) fragmentation of
 * {@link FragmentationModel}, which also sees GPUs that CPU or memory exhaustion will strand after a few more
 * tasks, and the per-GPU remainders no further task can use. With d = growth of that expected fragmentation in
 * GPUs, score = floor(100 / (1 + e^(4d))): no growth scores 50, a quarter GPU of growth about 27. Range 0..100.
 * Profiles pair it with a packing tie-breaker at a small weight.
 */
final class BerthFragScorer implements ScorePlugin {
    private final FragmentationModel model;

    BerthFragScorer(FragmentationModel model) {
        this.model = model;
    }

    /**
     * Berth's typical workload is every shape of the histogram, weighted by count: unlike FGD's 95% cut it keeps the
     * rare multi-GPU shapes, which are few by count but large by GPU demand and need whole servers kept free. Shapes
     * that only some of the servers of their size can ever hold (more CPU or memory than most have, or one model)
     * weigh more by home scarcity (see {@link FragmentationModel}), so their few homes are not used up by work that
     * fits anywhere.
     */
    static FragmentationModel model(List<WeightedShape> histogram) {
        return new FragmentationModel(histogram, true, true);
    }

    public String name() { return "berth-frag"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        double growth = FgdScorer.delta(model, ctx, s, gpus) / (1000.0 * model.totalWeight());
        return (long) (MAX_SCORE / (1 + Math.exp(4 * growth)));
    }
}
