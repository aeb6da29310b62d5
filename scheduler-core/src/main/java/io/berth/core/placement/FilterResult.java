package io.berth.core.placement;

/** Outcome of one hard constraint on one server. */
public sealed interface FilterResult {
    FilterResult FITS = new Fits();

    record Fits() implements FilterResult {}

    record Rejected(Reason reason) implements FilterResult {}

    static FilterResult reject(ReasonKind kind, int server, CycleContext ctx, long requested, long free, long capacity) {
        return new Rejected(new Reason(kind, ctx.layout().serverName(server), requested, free, capacity));
    }
}
