package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;

/** Per-server utilisation after placing the candidate, in per-mille (0..1000) of capacity. */
final class Utilisation {
    private Utilisation() {}

    static long cpuAfter(CycleContext ctx, int s) {
        long cap = ctx.layout().cpuCapacity(s);
        return cap == 0 ? 1000 : (cap - ctx.state().cpuFree(s) + ctx.group().cpuMillis()) * 1000 / cap;
    }

    static long memoryAfter(CycleContext ctx, int s) {
        long cap = ctx.layout().memoryCapacity(s);
        return cap == 0 ? 1000 : (cap - ctx.state().memoryFree(s) + ctx.group().memoryMib()) * 1000 / cap;
    }

    /** -1 when the server has no GPUs. */
    static long gpuAfter(CycleContext ctx, int s) {
        int n = ctx.layout().gpusOn(s);
        if (n == 0) return -1;
        long cap = 1000L * n;
        long used = cap - ctx.state().gpuFreeMilli(s) + ctx.group().gpuMilliPerReplica();
        return Math.min(1000, used * 1000 / cap);
    }

    /** CPU and GPU utilisation after placement, weighted half and half; CPU alone on a server without GPUs. */
    static long cpuGpuAfter(CycleContext ctx, int s) {
        long gpu = gpuAfter(ctx, s), cpu = cpuAfter(ctx, s);
        return gpu < 0 ? cpu : (cpu + gpu) / 2;
    }
}
