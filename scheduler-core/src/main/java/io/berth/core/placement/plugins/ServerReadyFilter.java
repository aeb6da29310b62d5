package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/**
 * Only READY servers take new work. The reason is NO_AGENT when the server is out of service only because no node
 * agent is connected, else SERVER_NOT_READY. Reason figures: requested 1, free 0, capacity 1.
 */
final class ServerReadyFilter implements FilterPlugin {
    public String name() { return "ready"; }

    @Override
    public boolean fits(CycleContext ctx, int s) {
        return ctx.state().serverReady(s);
    }

    public FilterResult filter(CycleContext ctx, int s) {
        if (fits(ctx, s)) return FilterResult.FITS;
        return FilterResult.reject(ctx.layout().agentMissing(s) ? ReasonKind.NO_AGENT : ReasonKind.SERVER_NOT_READY,
                s, ctx, 1, 0, 1);
    }
}
