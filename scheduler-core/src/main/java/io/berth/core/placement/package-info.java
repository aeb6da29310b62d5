/**
 * Placement engine.
 *
 * <p>Use: build a {@link io.berth.core.placement.ClusterSnapshot} from the inventory and the running allocations,
 * build an engine from a profile ({@code Profiles.engine("berth", settings)} or
 * {@code BuiltinPlugins.registry().engine(profile, settings)}; unknown plugin names and bad weights fail here),
 * take a {@link io.berth.core.placement.PlacementState} with {@code snapshot.workingCopy()} and call
 * {@link io.berth.core.placement.PlacementEngine#place} for each job of the cycle: a
 * {@link io.berth.core.placement.PlacementResult.Placed} reserves its {@link io.berth.core.placement.Assignment}s on
 * the state, an {@link io.berth.core.placement.PlacementResult.Unschedulable} reserves nothing and says why.
 * {@code canEverFit} and {@code whatIf} answer the admission and preemption questions on copies.
 *
 * <p>Plugins ({@link io.berth.core.placement.FilterPlugin}, {@link io.berth.core.placement.ScorePlugin}) see the
 * cycle through {@link io.berth.core.placement.CycleContext}; the built-in ones live in {@code plugins}.
 * Resources are integers: millicores, MiB, milli-GPU (1000 = one GPU), GiB, MB/s, Mbit/s.
 */
package io.berth.core.placement;
