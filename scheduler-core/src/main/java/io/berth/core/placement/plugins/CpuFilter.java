package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/** Free CPU (millicores) must cover the replica's cpuMillis. */
final class CpuFilter implements FilterPlugin {
    public String name() { return "cpu"; }

    public FilterResult filter(CycleContext ctx, int s) {
        long want = ctx.group().cpuMillis(), free = ctx.state().cpuFree(s);
        return want <= free ? FilterResult.FITS
                : FilterResult.reject(ReasonKind.CPU, s, ctx, want, free, ctx.layout().cpuCapacity(s));
    }
}
