package io.berth.core.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * The GPU sets worth scoring on one server for the current replica. The engine picks GPU indices, not only
 * the server: a shared (fractional) request gets one candidate per distinct free level among eligible GPUs,
 * so scorers can choose between a partly used and a whole GPU; a whole-GPU request gets one candidate that keeps
 * its GPUs inside one interconnect domain when possible (the smallest domain that fits, so larger ones stay whole).
 */
final class GpuChoices {
    private static final int[] NONE = new int[0];

    private GpuChoices() {}

    /** Empty list: the server cannot give the replica its GPUs. */
    static List<int[]> of(CycleContext ctx, int s) {
        TaskGroup t = ctx.group();
        if (t.gpuCount() == 0) return List.of(NONE);
        ClusterLayout l = ctx.layout();
        PlacementState st = ctx.state();
        int start = l.gpuStart(s), end = l.gpuEnd(s);
        int milli = t.milliGpuPerGpu();
        if (t.gpuCount() == 1) {
            List<int[]> out = new ArrayList<>(2);
            int[] levels = new int[end - start];
            int nLevels = 0;
            outer:
            for (int g = start; g < end; g++) {
                int f = st.gpuFree(g);
                if (f < milli || !ctx.gpuEligible(g)) continue;
                for (int i = 0; i < nLevels; i++) if (levels[i] == f) continue outer;
                levels[nLevels++] = f;
                out.add(new int[]{g});
            }
            return out;
        }
        // Several GPUs, each needs milli (whole GPUs in practice): prefer the tightest domain that holds them all.
        int eligible = 0;
        for (int g = start; g < end; g++) if (st.gpuFree(g) >= milli && ctx.gpuEligible(g)) eligible++;
        if (eligible < t.gpuCount()) return List.of();
        int bestDomain = -1, bestCount = Integer.MAX_VALUE;
        for (int g = start; g < end; g++) {
            if (st.gpuFree(g) < milli || !ctx.gpuEligible(g)) continue;
            int d = l.gpuDomain(g), c = 0;
            for (int h = start; h < end; h++)
                if (l.gpuDomain(h) == d && st.gpuFree(h) >= milli && ctx.gpuEligible(h)) c++;
            if (c >= t.gpuCount() && c < bestCount) {
                bestCount = c;
                bestDomain = d;
            }
        }
        int[] pick = new int[t.gpuCount()];
        int n = 0;
        if (bestDomain >= 0) {
            for (int g = start; g < end && n < pick.length; g++)
                if (l.gpuDomain(g) == bestDomain && st.gpuFree(g) >= milli && ctx.gpuEligible(g)) pick[n++] = g;
        } else {
            if (ctx.group().topology() == TopologyScope.INTERCONNECT_DOMAIN && ctx.group().topologyRequired())
                return List.of();
            // Spans domains: take the tightest GPUs (least free that still fits) first.
            for (int level = milli; level <= 1000 && n < pick.length; level++)
                for (int g = start; g < end && n < pick.length; g++)
                    if (st.gpuFree(g) == level && ctx.gpuEligible(g)) pick[n++] = g;
        }
        return List.<int[]>of(pick);
    }
}
