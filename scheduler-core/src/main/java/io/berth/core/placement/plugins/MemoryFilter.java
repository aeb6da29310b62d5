package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/** Free memory (MiB) must cover the replica's memoryMib. */
final class MemoryFilter implements FilterPlugin {
    public String name() { return "memory"; }

    @Override
    public boolean fits(CycleContext ctx, int s) {
        return ctx.group().memoryMib() <= ctx.state().memoryFree(s);
    }

    public FilterResult filter(CycleContext ctx, int s) {
        return fits(ctx, s) ? FilterResult.FITS : FilterResult.reject(ReasonKind.MEMORY, s, ctx, ctx.group().memoryMib(),
                ctx.state().memoryFree(s), ctx.layout().memoryCapacity(s));
    }
}
