package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/** Free CPU (millicores) must cover the replica's cpuMillis. */
final class CpuFilter implements FilterPlugin {
    public String name() { return "cpu"; }

    @Override
    public boolean fits(CycleContext ctx, int s) {
        return ctx.group().cpuMillis() <= ctx.state().cpuFree(s);
    }

    public FilterResult filter(CycleContext ctx, int s) {
        return fits(ctx, s) ? FilterResult.FITS : FilterResult.reject(ReasonKind.CPU, s, ctx, ctx.group().cpuMillis(),
                ctx.state().cpuFree(s), ctx.layout().cpuCapacity(s));
    }
}
