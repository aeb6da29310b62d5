package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/**
 * Free network bandwidth (Mbit/s) of the server, the smaller of its NIC and its own link, must cover the
 * replica's networkMbps. A server whose capacity is unknown (0) is not limited.
 */
final class NetworkFilter implements FilterPlugin {
    public String name() { return "network"; }

    @Override
    public boolean fits(CycleContext ctx, int s) {
        return ctx.layout().networkCapacity(s) == 0 || ctx.group().networkMbps() <= ctx.state().networkFree(s);
    }

    public FilterResult filter(CycleContext ctx, int s) {
        long cap = ctx.layout().networkCapacity(s), want = ctx.group().networkMbps(), free = ctx.state().networkFree(s);
        return cap == 0 || want <= free ? FilterResult.FITS : FilterResult.reject(ReasonKind.NETWORK, s, ctx, want, free, cap);
    }
}
