package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;

import java.util.List;

/**
 * GPU fragmentation in the sense of FGD (Weng et al., USENIX ATC'23): for a server and a typical task shape, the
 * free GPU capacity the task cannot use. If the task cannot fit the server at all (CPU, memory, or not enough
 * accepted GPUs with its milli-GPU free) every free milli-GPU of the server counts; if it fits, only the free milli
 * of GPUs it cannot use (less free than its milli-GPU, or a model it does not accept). The server's fragmentation
 * is the frequency-weighted expectation over the typical shapes. Values here are kept as
 * sum(weight x fragmented milli-GPU) to stay in integers; divide by {@link #totalWeight()} for milli-GPU.
 * Immutable apart from a per-layout cache of model acceptance; thread-safe.
 */
public final class FragmentationModel {
    private final TaskGroup[] shapes;
    private final long[] weight;
    private final long totalWeight;
    private volatile Acceptance acceptance;

    private record Acceptance(ClusterLayout layout, boolean[][] ok) {}

    public FragmentationModel(List<WeightedShape> workload) {
        if (workload.isEmpty()) throw new IllegalArgumentException("the fragmentation model needs a typical workload");
        shapes = workload.stream().map(WeightedShape::shape).toArray(TaskGroup[]::new);
        weight = workload.stream().mapToLong(WeightedShape::weight).toArray();
        long t = 0;
        for (long w : weight) t += w;
        totalWeight = t;
    }

    public long totalWeight() {
        return totalWeight;
    }

    /** Weighted fragmentation of server s as it is in the state. */
    public long weighted(PlacementState st, int s) {
        ClusterLayout l = st.layout();
        int n = l.gpusOn(s);
        int[] free = new int[n];
        for (int i = 0; i < n; i++) {
            int g = l.gpuStart(s) + i;
            free[i] = st.gpuUsable(g) ? st.gpuFree(g) : 0;
        }
        return weighted(l, s, st.cpuFree(s), st.memoryFree(s), free);
    }

    /** Fragmented milli-GPU of the whole cluster (expectation over the workload). */
    public long clusterMilli(PlacementState st) {
        long sum = 0;
        for (int s = 0; s < st.layout().serverCount(); s++) if (st.serverReady(s)) sum += weighted(st, s);
        return sum / totalWeight;
    }

    /**
     * @param gpuFree free milli-GPU of each GPU of server s in layout order (0 for GPUs out of service)
     */
    public long weighted(ClusterLayout l, int s, long cpuFree, long memoryFree, int[] gpuFree) {
        boolean[][] ok = acceptance(l);
        int start = l.gpuStart(s);
        long total = 0;
        for (int f : gpuFree) total += f;
        if (total == 0) return 0;
        long sum = 0;
        for (int i = 0; i < shapes.length; i++) {
            TaskGroup t = shapes[i];
            long frag;
            if (t.cpuMillis() > cpuFree || t.memoryMib() > memoryFree) frag = total;
            else if (t.gpuCount() == 0) frag = 0;
            else {
                int fit = 0, milli = t.milliGpuPerGpu();
                frag = 0;
                for (int j = 0; j < gpuFree.length; j++) {
                    if (gpuFree[j] >= milli && ok[i][l.gpuModel(start + j)]) fit++;
                    else frag += gpuFree[j];
                }
                if (fit < t.gpuCount()) frag = total;
            }
            sum += weight[i] * frag;
        }
        return sum;
    }

    private boolean[][] acceptance(ClusterLayout l) {
        Acceptance a = acceptance;
        if (a != null && a.layout == l) return a.ok;
        boolean[][] ok = new boolean[shapes.length][l.modelCount()];
        for (int i = 0; i < shapes.length; i++)
            for (int m = 0; m < l.modelCount(); m++)
                ok[i][m] = shapes[i].acceptedModels().isEmpty() || shapes[i].acceptedModels().contains(l.modelName(m));
        acceptance = new Acceptance(l, ok);
        return ok;
    }
}
