package io.berth.core.placement;

/**
 * A hard constraint: may this server host one replica of the current task group? Pure function of the cycle
 * context (no clock, no I/O); must not change the state.
 */
public interface FilterPlugin {
    String name();

    FilterResult filter(CycleContext ctx, int server);
}
