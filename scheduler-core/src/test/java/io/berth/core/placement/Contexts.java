package io.berth.core.placement;

/** Test access to engine-owned context state. */
public final class Contexts {
    private Contexts() {}

    /** A context for the group on which the job has already placed replicas on the given servers. */
    public static CycleContext withPlaced(PlacementState state, TaskGroup group, int... servers) {
        CycleContext ctx = CycleContext.of(state, group);
        for (int s : servers) ctx.placed(s, new int[0]);
        return ctx;
    }
}
