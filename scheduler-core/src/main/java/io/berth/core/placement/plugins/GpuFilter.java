package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/**
 * The server must have gpuCount GPUs that are usable, of an accepted model, with at least minGpuMemoryMib of
 * device memory and at least milliGpuPerGpu free each. The reason names the first check that leaves fewer than
 * gpuCount GPUs; its figures are requested = gpuCount, free = GPUs still eligible, capacity = GPUs on the server.
 */
final class GpuFilter implements FilterPlugin {
    public String name() { return "gpu"; }

    /** The verdict of {@link #filter}: free eligible GPUs are also of an accepted model and have the memory. */
    @Override
    public boolean fits(CycleContext ctx, int s) {
        var t = ctx.group();
        int want = t.gpuCount();
        if (want == 0) return true;
        ClusterLayout l = ctx.layout();
        var st = ctx.state();
        int free = 0;
        for (int g = l.gpuStart(s), end = l.gpuEnd(s); g < end; g++) {
            if (st.gpuFree(g) >= t.milliGpuPerGpu() && ctx.gpuEligible(g) && ++free == want) return true;
        }
        return false;
    }

    public FilterResult filter(CycleContext ctx, int s) {
        var t = ctx.group();
        int want = t.gpuCount();
        if (want == 0) return FilterResult.FITS;
        ClusterLayout l = ctx.layout();
        var st = ctx.state();
        int start = l.gpuStart(s), end = l.gpuEnd(s), cap = end - start;
        if (cap < want) return FilterResult.reject(ReasonKind.GPU_COUNT, s, ctx, want, cap, cap);
        int model = 0, memory = 0, free = 0;
        for (int g = start; g < end; g++) {
            if (!st.gpuUsable(g) || !ctx.modelAccepted(l.gpuModel(g))) continue;
            model++;
            if (l.gpuMemoryMib(g) < t.minGpuMemoryMib()) continue;
            memory++;
            if (st.gpuFree(g) >= t.milliGpuPerGpu() && ctx.gpuEligible(g)) free++;
        }
        if (model < want) return FilterResult.reject(ReasonKind.GPU_MODEL, s, ctx, want, model, cap);
        if (memory < want) return FilterResult.reject(ReasonKind.GPU_MEMORY, s, ctx, want, memory, cap);
        if (free < want) return FilterResult.reject(ReasonKind.GPU_FREE, s, ctx, want, free, cap);
        return FilterResult.FITS;
    }
}
