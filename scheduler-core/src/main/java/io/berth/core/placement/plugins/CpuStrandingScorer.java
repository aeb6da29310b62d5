package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.ScorePlugin;

import java.util.List;

/**
 * CPU stranding: with c = the workload's CPU millicores per GPU (frequency-weighted over GPU shapes), a server
 * strands max(0, freeGpus - cpuFree / c) GPUs (free GPU milli / 1000). With d = growth of stranded GPUs if the
 * candidate is placed, score = floor(100 / (1 + e^(4d))): no growth 50. Range 0..100.
 */
final class CpuStrandingScorer implements ScorePlugin {
    private final double cpuPerGpu;

    CpuStrandingScorer(List<WeightedShape> workload) {
        double cpu = 0, gpu = 0;
        for (WeightedShape w : workload) {
            if (w.shape().gpuCount() == 0) continue;
            cpu += w.weight() * (double) w.shape().cpuMillis();
            gpu += w.weight() * w.shape().gpuMilliPerReplica() / 1000.0;
        }
        if (gpu == 0) throw new IllegalArgumentException("cpu-stranding needs GPU shapes in the typical workload");
        cpuPerGpu = cpu / gpu;
    }

    public String name() { return "cpu-stranding"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        var st = ctx.state();
        long free = st.gpuFreeMilli(s);
        double before = stranded(free, st.cpuFree(s));
        double after = stranded(free - ctx.group().gpuMilliPerReplica(), st.cpuFree(s) - ctx.group().cpuMillis());
        return (long) (MAX_SCORE / (1 + Math.exp(4 * (after - before))));
    }

    private double stranded(long gpuFreeMilli, long cpuFree) {
        return Math.max(0, gpuFreeMilli / 1000.0 - cpuFree / cpuPerGpu);
    }
}
