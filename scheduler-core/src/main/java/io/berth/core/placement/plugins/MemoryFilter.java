package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/** Free memory (MiB) must cover the replica's memoryMib. */
final class MemoryFilter implements FilterPlugin {
    public String name() { return "memory"; }

    public FilterResult filter(CycleContext ctx, int s) {
        long want = ctx.group().memoryMib(), free = ctx.state().memoryFree(s);
        return want <= free ? FilterResult.FITS
                : FilterResult.reject(ReasonKind.MEMORY, s, ctx, want, free, ctx.layout().memoryCapacity(s));
    }
}
