package io.berth.core.placement;

/**
 * A hard constraint: may this server host one replica of the current task group? Pure function of the cycle
 * context (no clock, no I/O); must not change the state.
 */
public interface FilterPlugin {
    String name();

    FilterResult filter(CycleContext ctx, int server);

    /**
     * The same verdict as {@link #filter} without the reason: the search asks this for every server it visits and
     * wants no garbage for the many that fail; the reasons are built only when a replica fits nowhere.
     */
    default boolean fits(CycleContext ctx, int server) {
        return filter(ctx, server) instanceof FilterResult.Fits;
    }
}
