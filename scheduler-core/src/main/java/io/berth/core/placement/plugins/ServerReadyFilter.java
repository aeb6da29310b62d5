package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/** Only READY servers take new work. Reason figures: requested 1, free 0, capacity 1. */
final class ServerReadyFilter implements FilterPlugin {
    public String name() { return "ready"; }

    public FilterResult filter(CycleContext ctx, int s) {
        return ctx.state().serverReady(s) ? FilterResult.FITS : FilterResult.reject(ReasonKind.SERVER_NOT_READY, s, ctx, 1, 0, 1);
    }
}
