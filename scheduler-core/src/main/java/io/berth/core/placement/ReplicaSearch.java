package io.berth.core.placement;

import java.util.random.RandomGenerator;

/**
 * How {@link GangPlacer} finds a home for one replica: the engine's filter and score search. The gang placer owns
 * the all-or-nothing and topology logic and asks this interface for single replicas, so the two do not depend on
 * each other's classes.
 */
interface ReplicaSearch {
    /** A chosen server and GPUs (global numbers). */
    record Choice(int server, int[] gpus) {}

    /** A server and GPUs for one replica of the context's group, or null when none fits. Does not reserve. */
    Choice choose(CycleContext ctx, RandomGenerator random);

    /** Why no server could take the context's current replica. */
    WhyNot explain(CycleContext ctx);
}
