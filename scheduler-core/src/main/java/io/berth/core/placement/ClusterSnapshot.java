package io.berth.core.placement;

import io.berth.core.inventory.Inventory;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Immutable picture of a cluster at the start of a cycle: the inventory plus what already runs on it.
 * Only READY servers and HEALTHY accelerators take new work. Get a mutable {@link PlacementState} with
 * {@link #workingCopy()} (cheap: a few array copies) and place several jobs in a row on it.
 */
public final class ClusterSnapshot {
    private final ClusterLayout layout;
    private final PlacementState base; // never handed out, only copied
    private final Map<String, Allocation> allocations;

    private ClusterSnapshot(ClusterLayout layout, PlacementState base, Map<String, Allocation> allocations) {
        this.layout = layout;
        this.base = base;
        this.allocations = allocations;
    }

    /**
     * @param existing what already runs; applied even on servers that are not READY.
     * @throws IllegalStateException when the allocations over-commit a server
     */
    public static ClusterSnapshot of(Inventory inventory, List<Allocation> existing) {
        return of(new ClusterLayout(inventory), existing);
    }

    /**
     * Same as {@link #of(Inventory, List)} on a layout built earlier from the same inventory. Building the layout is
     * the costly part (linear in servers and accelerators, many small maps); a caller that sees the inventory
     * unchanged between cycles can keep the layout, which is immutable.
     */
    public static ClusterSnapshot of(ClusterLayout layout, List<Allocation> existing) {
        boolean[] usable = layout.gpuHealthy.clone();
        PlacementState state = full(layout, layout.serverReady.clone(), usable);
        // sized up front and wrapped, not copied: callers may pass every running job
        Map<String, Allocation> byJob = new HashMap<>(existing.size() * 4 / 3 + 1);
        for (Allocation a : existing) {
            if (byJob.put(a.jobId(), a) != null) throw new IllegalArgumentException("duplicate allocation " + a.jobId());
            for (var as : a.assignments()) state.reserve(as);
        }
        return new ClusterSnapshot(layout, state, Collections.unmodifiableMap(byJob));
    }

    public static ClusterSnapshot of(Inventory inventory) {
        return of(inventory, List.of());
    }

    private static PlacementState full(ClusterLayout l, boolean[] ready, boolean[] usable) {
        int[] gpuFree = new int[l.gpuCount()];
        Arrays.fill(gpuFree, 1000);
        return new PlacementState(l, l.cpuCapacity.clone(), l.memoryCapacity.clone(), l.storageCapacity.clone(),
                l.networkCapacity.clone(), l.storageBandwidthCapacity.clone(), gpuFree, ready, usable);
    }

    public ClusterLayout layout() { return layout; }

    /** A mutable copy with the existing allocations applied. */
    public PlacementState workingCopy() {
        return base.copy();
    }

    /**
     * The same hardware with nothing running and every server and accelerator in service: the cluster a job
     * would meet in the best case. Used by "can this job ever fit".
     */
    public PlacementState emptyCopy() {
        boolean[] ready = new boolean[layout.serverCount()];
        Arrays.fill(ready, true);
        boolean[] usable = new boolean[layout.gpuCount()];
        Arrays.fill(usable, true);
        return full(layout, ready, usable);
    }

    public Optional<Allocation> allocation(String jobId) {
        return Optional.ofNullable(allocations.get(jobId));
    }

    public Map<String, Allocation> allocations() {
        return allocations;
    }
}
