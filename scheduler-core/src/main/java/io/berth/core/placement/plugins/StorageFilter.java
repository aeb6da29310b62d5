package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.FilterPlugin;
import io.berth.core.placement.FilterResult;
import io.berth.core.placement.ReasonKind;

/** Free local storage capacity (GiB) and bandwidth (MB/s) must cover the replica's request. */
final class StorageFilter implements FilterPlugin {
    public String name() { return "storage"; }

    @Override
    public boolean fits(CycleContext ctx, int s) {
        var t = ctx.group();
        var st = ctx.state();
        return t.storageGib() <= st.storageFree(s) && t.storageMbPerSec() <= st.storageBandwidthFree(s);
    }

    public FilterResult filter(CycleContext ctx, int s) {
        var t = ctx.group();
        var st = ctx.state();
        if (t.storageGib() > st.storageFree(s))
            return FilterResult.reject(ReasonKind.STORAGE, s, ctx, t.storageGib(), st.storageFree(s), ctx.layout().storageCapacity(s));
        if (t.storageMbPerSec() > st.storageBandwidthFree(s))
            return FilterResult.reject(ReasonKind.STORAGE_BANDWIDTH, s, ctx, t.storageMbPerSec(), st.storageBandwidthFree(s),
                    ctx.layout().storageBandwidthCapacity(s));
        return FilterResult.FITS;
    }
}
