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
    private final boolean saturating;
    private final long[] weight;
    private final long totalWeight;
    private volatile Acceptance acceptance;

    private record Acceptance(ClusterLayout layout, boolean[][] ok) {}

    public FragmentationModel(List<WeightedShape> workload) {
        this(workload, false);
    }

    /**
     * @param saturating false: FGD's one-task view (does one more task of the shape fit, and which GPUs can it
     *                   not use). true: Berth's fill view: the GPU capacity left over after packing as many copies
     *                   of the shape as the server holds (limited by CPU, memory and GPUs), so GPUs that would be
     *                   stranded by CPU running out after a few tasks, and the remainder of each GPU's free milli
     *                   that no further copy can use, count as fragmented now.
     */
    public FragmentationModel(List<WeightedShape> workload, boolean saturating) {
        this.saturating = saturating;
        if (workload.isEmpty()) throw new IllegalArgumentException("the fragmentation model needs a typical workload");
        shapes = workload.stream().map(WeightedShape::shape).toArray(TaskGroup[]::new);
        weight = workload.stream().mapToLong(WeightedShape::weight).toArray();
        long t = 0;
        for (long w : weight) t += w;
        totalWeight = t;
    }

    /** FGD's typical workload: the most frequent shapes that together make up 95% of the tasks. */
    public static FragmentationModel typical(List<WeightedShape> histogram) {
        return new FragmentationModel(topByCount(histogram, 0.95), false);
    }

    static List<WeightedShape> topByCount(List<WeightedShape> histogram, double coverage) {
        var sorted = new java.util.ArrayList<>(histogram);
        sorted.sort(java.util.Comparator.comparingLong(WeightedShape::weight).reversed());
        long total = 0, covered = 0;
        for (WeightedShape w : sorted) total += w.weight();
        List<WeightedShape> out = new java.util.ArrayList<>();
        for (WeightedShape w : sorted) {
            if (covered >= coverage * total) break;
            out.add(w);
            covered += w.weight();
        }
        return out;
    }

    public List<WeightedShape> workload() {
        List<WeightedShape> out = new java.util.ArrayList<>(shapes.length);
        for (int i = 0; i < shapes.length; i++) out.add(new WeightedShape(shapes[i], weight[i]));
        return out;
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
            else if (saturating) frag = total - fillable(t, ok[i], l, start, cpuFree, memoryFree, gpuFree);
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

    /** GPU milli that copies of shape t could take on the server, packing as many copies as fit. */
    private static long fillable(TaskGroup t, boolean[] ok, ClusterLayout l, int start, long cpuFree, long memoryFree,
                                 int[] gpuFree) {
        long copies = Long.MAX_VALUE;
        if (t.cpuMillis() > 0) copies = cpuFree / t.cpuMillis();
        if (t.memoryMib() > 0) copies = Math.min(copies, memoryFree / t.memoryMib());
        int milli = t.milliGpuPerGpu();
        long slots = 0;
        for (int j = 0; j < gpuFree.length; j++) if (ok[l.gpuModel(start + j)]) slots += gpuFree[j] / milli;
        copies = Math.min(copies, slots / t.gpuCount());
        return copies * t.gpuCount() * milli;
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
