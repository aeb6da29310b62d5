package io.berth.core.placement;

/**
 * The GPU sets worth scoring on one server for the current replica. The engine picks GPU indices, not only
 * the server: a shared (fractional) request gets one candidate per distinct free level among eligible GPUs,
 * so scorers can choose between a partly used and a whole GPU; a whole-GPU request gets one candidate that keeps
 * its GPUs inside one interconnect domain when possible (the smallest domain that fits, so larger ones stay whole).
 */
final class GpuChoices {
    private static final int[] NONE = new int[0];

    private GpuChoices() {}

    /** Receives the GPU sets proposed for a server, in proposal order; the arrays are the candidate's own. */
    interface Sink {
        void add(int server, int[] gpus);
    }

    /**
     * Adds the GPU sets worth scoring on server s to {@code out} and returns how many were added (0: the server
     * cannot give the replica its GPUs). Writes into the caller's buffer rather than returning a list: the search
     * asks this for every feasible server it visits.
     */
    static int add(CycleContext ctx, int s, Sink out) {
        TaskGroup t = ctx.group();
        if (t.gpuCount() == 0) {
            out.add(s, NONE);
            return 1;
        }
        ClusterLayout l = ctx.layout();
        PlacementView st = ctx.state();
        int start = l.gpuStart(s), end = l.gpuEnd(s);
        int milli = t.milliGpuPerGpu();
        if (t.gpuCount() == 1) {
            // One candidate per distinct free level: the first eligible GPU of each level, in GPU order.
            int[] levels = new int[end - start];
            int nLevels = 0;
            outer:
            for (int g = start; g < end; g++) {
                int f = st.gpuFree(g);
                if (f < milli || !ctx.gpuEligible(g)) continue;
                for (int i = 0; i < nLevels; i++) if (levels[i] == f) continue outer;
                levels[nLevels++] = f;
                out.add(s, new int[]{g});
            }
            return nLevels;
        }
        // Several GPUs, each needs milli (whole GPUs in practice): prefer the tightest domain that holds them all.
        int eligible = 0;
        for (int g = start; g < end; g++) if (st.gpuFree(g) >= milli && ctx.gpuEligible(g)) eligible++;
        if (eligible < t.gpuCount()) return 0;
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
                return 0;
            // Spans domains: take the tightest GPUs (least free that still fits) first.
            for (int level = milli; level <= 1000 && n < pick.length; level++)
                for (int g = start; g < end && n < pick.length; g++)
                    if (st.gpuFree(g) == level && ctx.gpuEligible(g)) pick[n++] = g;
        }
        out.add(s, pick);
        return 1;
    }
}
