package io.berth.core.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed per-cycle state handed to every plugin: the working state (as a read-only {@link PlacementView}), the
 * replica being placed, and what the current job has placed so far (for topology). Owned by the engine; plugins
 * only read it.
 */
public final class CycleContext {
    private final PlacementState state;
    private TaskGroup group;
    private boolean[] modelAccepted;
    private boolean anyGpu; // the group accepts every model and any GPU memory: gpuEligible skips those lookups
    private final List<Integer> placedServers = new ArrayList<>();
    private final List<int[]> placedGpus = new ArrayList<>();
    private TopologyScope restriction = TopologyScope.NONE;
    private int restrictionId = -1;

    CycleContext(PlacementState state) {
        this.state = state;
    }

    /** A context for evaluating plugins on one group outside an engine cycle (plugin tests, tooling). */
    public static CycleContext of(PlacementState state, TaskGroup group) {
        CycleContext ctx = new CycleContext(state);
        ctx.setGroup(group);
        return ctx;
    }

    /** Switches to the next task group of the job; placements made so far stay visible. */
    void setGroup(TaskGroup group) {
        this.group = group;
        ClusterLayout l = state.layout();
        modelAccepted = new boolean[l.modelCount()];
        for (int m = 0; m < modelAccepted.length; m++)
            modelAccepted[m] = group.acceptedModels().isEmpty() || group.acceptedModels().contains(l.modelName(m));
        anyGpu = group.acceptedModels().isEmpty() && group.minGpuMemoryMib() <= 0;
    }

    /** The cycle's working state, read-only. */
    public PlacementView state() { return state; }

    /** The same state for the engine, which reserves and releases in it. */
    PlacementState working() { return state; }
    public ClusterLayout layout() { return state.layout(); }
    public TaskGroup group() { return group; }

    /** Whether the task group accepts GPU model id m of the layout. */
    public boolean modelAccepted(int modelId) { return modelAccepted[modelId]; }

    /** A GPU this replica could use if it had enough free milli: usable, accepted model, enough memory, in domain. */
    public boolean gpuEligible(int g) {
        ClusterLayout l = state.layout();
        return state.gpuUsable(g)
                && (anyGpu || modelAccepted[l.gpuModel(g)] && l.gpuMemoryMib(g) >= group.minGpuMemoryMib())
                && (restriction != TopologyScope.INTERCONNECT_DOMAIN || l.gpuDomain(g) == restrictionId);
    }

    /** Servers already holding replicas of this job in this cycle, in placement order. */
    public List<Integer> placedServers() { return placedServers; }

    /** The domain every replica must stay in (NONE = no restriction), set while trying one domain for a gang. */
    public TopologyScope restriction() { return restriction; }
    public int restrictionId() { return restrictionId; }

    void restrict(TopologyScope scope, int id) {
        restriction = scope;
        restrictionId = id;
    }

    void placed(int server, int[] gpus) {
        placedServers.add(server);
        placedGpus.add(gpus);
    }

    void unplaceLast() {
        placedServers.remove(placedServers.size() - 1);
        placedGpus.remove(placedGpus.size() - 1);
    }
}
