package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * Fragmentation gradient descent (FGD): with d = growth of the server's expected fragmentation in GPUs if the
 * candidate is placed (see {@link FragmentationModel}), score = floor(100 x sigmoid(-d)) = floor(100 / (1 + e^d)).
 * No growth scores 50, a drop of fragmentation more, a growth less; the smallest growth wins. Range 0..100.
 * The sigmoid (rather than min-max normalisation) follows the authors' simulator: it keeps differences of a
 * fraction of a GPU visible however wide the spread of candidates is.
 */
final class FgdScorer implements ScorePlugin {
    private final FragmentationModel model;

    FgdScorer(FragmentationModel model) {
        this.model = model;
    }

    public String name() { return "fgd"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        double gpusGrowth = delta(model, ctx, s, gpus) / (1000.0 * model.totalWeight());
        return (long) (MAX_SCORE / (1 + Math.exp(gpusGrowth)));
    }

    /** Growth of the weighted fragmentation of server s if the candidate were placed. */
    static long delta(FragmentationModel model, CycleContext ctx, int s, int[] gpus) {
        var st = ctx.state();
        ClusterLayout l = ctx.layout();
        int start = l.gpuStart(s), n = l.gpusOn(s);
        int[] free = new int[n];
        for (int i = 0; i < n; i++) free[i] = st.gpuUsable(start + i) ? st.gpuFree(start + i) : 0;
        long before = st.memoized(model.memoKey(), s, x -> model.weighted(st, x, st.cpuFree(x), st.memoryFree(x), free));
        for (int g : gpus) free[g - start] -= ctx.group().milliGpuPerGpu();
        long after = model.weighted(st, s, st.cpuFree(s) - ctx.group().cpuMillis(),
                st.memoryFree(s) - ctx.group().memoryMib(), free);
        return after - before;
    }
}
