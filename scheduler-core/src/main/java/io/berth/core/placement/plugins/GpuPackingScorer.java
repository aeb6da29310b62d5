package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * GPU packing: 100 when every chosen GPU is already partly used, 50 when the server already runs GPU work,
 * 0 on a server whose GPUs are all idle. CPU-only replicas prefer servers without free GPUs (100) over others (0).
 */
final class GpuPackingScorer implements ScorePlugin {
    public String name() { return "gpu-packing"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        var st = ctx.state();
        ClusterLayout l = ctx.layout();
        if (gpus.length == 0) return st.gpuFreeMilli(s) == 0 ? MAX_SCORE : 0;
        boolean allPartly = true;
        for (int g : gpus) allPartly &= st.gpuFree(g) < 1000;
        if (allPartly) return MAX_SCORE;
        for (int g = l.gpuStart(s); g < l.gpuEnd(s); g++) if (st.gpuFree(g) < 1000) return MAX_SCORE / 2;
        return 0;
    }
}
