package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.PlacementView;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.ScorePlugin;
import io.berth.core.placement.TaskGroup;

import java.util.List;

/**
 * GPU model scarcity: keeps the GPU models that model-constrained work needs for that work. From the typical
 * workload, the demand that accepts only some models is spread over those models in proportion to their GPUs in the
 * cluster (FGD keys its typical shapes by GPU type for the same reason); with D_m = that demand on model m as a share
 * of the whole workload's GPU demand and F_m = model m's free milli-GPU as a share of the cluster's free milli-GPU,
 * model m's pressure is p_m = min(1, D_m / F_m): 1 means constrained work alone is expected to need all of m that is
 * still free. A candidate that takes g milli-GPU of model m costs c = p_m x g / 1000 GPUs, minus the same figure for
 * the least pressed model the task accepts (so a task that can only run on one model is never penalised), and scores
 * floor(100 / (1 + e^(4c))): no cost 50. Range 0..50. Without constrained shapes every candidate scores 50.
 * The free shares are recomputed when the state's allocation changes; thread-safe.
 */
final class ModelScarcityScorer implements ScorePlugin {
    private final List<WeightedShape> workload;
    private volatile Demand demand;
    private volatile Free free;

    /** Constrained demand share per model id of one layout. */
    private record Demand(ClusterLayout layout, double[] share, boolean any) {}

    private record Free(PlacementView state, long allocated, double[] pressure) {}

    ModelScarcityScorer(List<WeightedShape> workload) {
        this.workload = List.copyOf(workload);
    }

    public String name() { return "model-scarcity"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        TaskGroup t = ctx.group();
        if (gpus.length == 0) return MAX_SCORE / 2;
        Demand d = demand(ctx.layout());
        if (!d.any()) return MAX_SCORE / 2;
        double[] p = pressure(ctx.state(), d);
        double least = Double.MAX_VALUE;
        for (int m = 0; m < p.length; m++) if (ctx.modelAccepted(m)) least = Math.min(least, p[m]);
        double cost = 0;
        for (int g : gpus) cost += (p[ctx.layout().gpuModel(g)] - least) * t.milliGpuPerGpu() / 1000.0;
        return (long) (MAX_SCORE / (1 + Math.exp(4 * cost)));
    }

    private Demand demand(ClusterLayout l) {
        Demand d = demand;
        if (d != null && d.layout() == l) return d;
        int models = l.modelCount();
        double[] supply = new double[models];
        for (int g = 0; g < l.gpuCount(); g++) supply[l.gpuModel(g)]++;
        double[] share = new double[models];
        double all = 0;
        boolean any = false;
        for (WeightedShape w : workload) {
            TaskGroup t = w.shape();
            double demandMilli = (double) w.weight() * t.gpuMilliPerReplica();
            all += demandMilli;
            if (t.gpuCount() == 0 || t.acceptedModels().isEmpty()) continue;
            double accepted = 0;
            for (int m = 0; m < models; m++) if (t.acceptedModels().contains(l.modelName(m))) accepted += supply[m];
            if (accepted == 0) continue;
            for (int m = 0; m < models; m++)
                if (t.acceptedModels().contains(l.modelName(m))) {
                    share[m] += demandMilli * supply[m] / accepted;
                    any = true;
                }
        }
        if (all > 0) for (int m = 0; m < models; m++) share[m] /= all;
        d = new Demand(l, share, any);
        demand = d;
        return d;
    }

    private double[] pressure(PlacementView st, Demand d) {
        Free f = free;
        if (f != null && f.state() == st && f.allocated() == st.allocatedGpuMilli()) return f.pressure();
        ClusterLayout l = st.layout();
        // The state keeps the per-model sums (whole numbers, so the same doubles as summing GPU by GPU).
        double[] freeMilli = new double[l.modelCount()];
        double total = 0;
        for (int m = 0; m < freeMilli.length; m++) {
            freeMilli[m] = st.modelFreeMilli(m);
            total += freeMilli[m];
        }
        double[] p = new double[freeMilli.length];
        for (int m = 0; m < p.length; m++)
            p[m] = d.share()[m] == 0 ? 0 : freeMilli[m] == 0 ? 1 : Math.min(1, d.share()[m] / (freeMilli[m] / total));
        free = new Free(st, st.allocatedGpuMilli(), p);
        return p;
    }
}
