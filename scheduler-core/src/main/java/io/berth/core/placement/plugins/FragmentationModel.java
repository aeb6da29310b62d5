package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.PlacementView;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;

import java.util.List;

/**
 * GPU fragmentation in the sense of FGD (Weng et al., USENIX ATC'23): for a server and a typical task shape, the
 * free GPU capacity the task cannot use. If the task cannot fit the server at all (CPU, memory, or not enough
 * accepted GPUs with its milli-GPU free) every free milli-GPU of the server counts; if it fits, only the free milli
 * of GPUs it cannot use (less free than its milli-GPU, or a model it does not accept). A CPU-only shape uses no GPU,
 * so every idle milli-GPU of the server counts for it whether it fits or not, as in the authors' simulator
 * ({@code GetNodePodFrag} answers "satisfied" or "lack CPU" for it, and {@code FragAmountSumExceptQ3} adds both);
 * the saturating mode below counts nothing for CPU-only shapes. The server's fragmentation
 * is the frequency-weighted expectation over the typical shapes. Values here are kept as
 * sum(weight x fragmented milli-GPU) to stay in integers; divide by {@link #totalWeight()} for milli-GPU.
 *
 * <p>With home scarcity (Berth's fill view only) a GPU shape's weight is multiplied by (R / H)^2: R = the GPUs on
 * servers with at least the shape's GPU count, H = the GPUs on the servers that could hold one copy of it when empty
 * (enough CPU, memory and GPUs of an accepted model). Fragmentation that hits a shape only a few of the servers of its
 * size can ever take counts for more: its demand falls on its homes alone (demand per home GPU grows as R / H), and
 * each home is a larger part of them (one server's share of the homes grows as R / H). The GPU count itself is left
 * out (R, not the cluster's GPUs): the fill view already sees whether a server keeps room for the shape's GPUs; what
 * makes homes scarce here is CPU, memory or the model. A shape no server can hold keeps its weight (it counts all free
 * GPU everywhere, the same for every candidate); {@link #totalWeight()} stays the plain sum of the counts. The raised
 * weight applies on every server: off its homes a scarce shape counts every free milli-GPU, which any placement there
 * lowers alike, so with a scarce shape in the workload the growths of all non-home candidates shift down together (the
 * Berth scorer then rates them alike and guards the homes). Raising it on the homes only was measured worse
 * (BENCHMARKS.md, 2026-12-04).
 * Immutable apart from a per-layout cache of model acceptance and weights; thread-safe.
 */
public final class FragmentationModel {
    /** Keys this model's per-server weighted fragmentation memo in a state (see {@link #weighted(PlacementView, int)}). */
    private final PlacementView.MemoKey memoKey = new PlacementView.MemoKey("weighted fragmentation");
    private final PlacementView.ScratchKey<java.util.HashMap<Inputs, Long>> cacheKey =
            new PlacementView.ScratchKey<>("fragmentation by server contents");

    private final TaskGroup[] shapes;
    private final boolean saturating;
    private final boolean homeScarcity;
    private final long[] weight;
    // The shapes' figures as plain arrays (shape i at index i): the scorers evaluate every shape for every candidate
    // server, and reading them from the records was most of that time.
    private final long[] cpu, memory, gpuMilli; // gpuMilli: GPU count x milli-GPU per GPU
    private final boolean[] cpuOnly;
    private final long totalWeight;
    private volatile Acceptance acceptance;

    /** Shapes grouped by their GPU side for one layout: group per shape; GPU count, milli, accepted models per group. */
    private record Acceptance(ClusterLayout layout, int[] groupOf, int[] groupCount, int[] groupMilli,
                              boolean[][] groupOk, long[] weight) {}

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
        this(workload, saturating, false);
    }

    /**
     * @param homeScarcity weigh each GPU shape by (R / H)^2 (see the class comment); only with {@code saturating}
     */
    public FragmentationModel(List<WeightedShape> workload, boolean saturating, boolean homeScarcity) {
        if (homeScarcity && !saturating) throw new IllegalArgumentException("home scarcity needs the fill view");
        this.saturating = saturating;
        this.homeScarcity = homeScarcity;
        if (workload.isEmpty()) throw new IllegalArgumentException("the fragmentation model needs a typical workload");
        shapes = workload.stream().map(WeightedShape::shape).toArray(TaskGroup[]::new);
        weight = workload.stream().mapToLong(WeightedShape::weight).toArray();
        cpu = new long[shapes.length];
        memory = new long[shapes.length];
        gpuMilli = new long[shapes.length];
        cpuOnly = new boolean[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            cpu[i] = shapes[i].cpuMillis();
            memory[i] = shapes[i].memoryMib();
            gpuMilli[i] = (long) shapes[i].gpuCount() * shapes[i].milliGpuPerGpu();
            cpuOnly[i] = shapes[i].gpuCount() == 0;
        }
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

    /** The key under which callers memoize this model's {@link #weighted(PlacementView, int)} per server. */
    public PlacementView.MemoKey memoKey() {
        return memoKey;
    }

    /** Weighted fragmentation of server s as it is in the state. */
    public long weighted(PlacementView st, int s) {
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
    public long clusterMilli(PlacementView st) {
        long sum = 0;
        for (int s = 0; s < st.layout().serverCount(); s++) if (st.serverReady(s)) sum += weighted(st, s);
        return sum / totalWeight;
    }

    /**
     * As {@link #weighted(ClusterLayout, int, long, long, int[])}, remembered in {@code st} by its inputs (free CPU,
     * free memory, and each GPU's model and free milli). Servers of one kind go through the same few states as a
     * cluster fills, and scoring asks the same figure for many candidates (and a chosen candidate's figure is its
     * server's next one): on the openb shapes (485) nine requests in ten were for a figure already computed.
     * The cache is emptied when it reaches {@link #CACHED} entries (about 2 MiB); 4 times as many made the openb
     * shapes no faster.
     */
    public long weighted(PlacementView st, int s, long cpuFree, long memoryFree, int[] gpuFree) {
        ClusterLayout l = st.layout();
        int start = l.gpuStart(s);
        int[] gpus = new int[2 * gpuFree.length];
        for (int j = 0; j < gpuFree.length; j++) {
            gpus[2 * j] = l.gpuModel(start + j);
            gpus[2 * j + 1] = gpuFree[j];
        }
        Inputs key = new Inputs(cpuFree, memoryFree, gpus);
        java.util.HashMap<Inputs, Long> cache = st.scratch(cacheKey, java.util.HashMap::new);
        Long v = cache.get(key);
        if (v != null) return v;
        long computed = weighted(l, s, cpuFree, memoryFree, gpuFree);
        if (cache.size() >= CACHED) cache.clear();
        cache.put(key, computed);
        return computed;
    }

    static final int CACHED = 1 << 14;

    /** What {@link #weighted} depends on: free CPU and memory, and each GPU's model and free milli, in GPU order. */
    private record Inputs(long cpuFree, long memoryFree, int[] gpus) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Inputs i && i.cpuFree == cpuFree && i.memoryFree == memoryFree
                    && java.util.Arrays.equals(i.gpus, gpus);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(cpuFree) * 31 + Long.hashCode(memoryFree)) * 31 + java.util.Arrays.hashCode(gpus);
        }
    }

    /**
     * @param gpuFree free milli-GPU of each GPU of server s in layout order (0 for GPUs out of service)
     */
    public long weighted(ClusterLayout l, int s, long cpuFree, long memoryFree, int[] gpuFree) {
        Acceptance acc = acceptance(l);
        int start = l.gpuStart(s);
        long total = 0;
        for (int f : gpuFree) total += f;
        if (total == 0) return 0;
        // GPU-side figures depend only on (GPU count, milli, accepted models): computed once per group of shapes.
        int groups = acc.groupMilli.length;
        long[] gpuSide = new long[groups];
        for (int k = 0; k < groups; k++) {
            int milli = acc.groupMilli[k];
            boolean[] ok = acc.groupOk[k];
            if (milli == 0) continue;
            long fit = 0, below = 0, slots = 0;
            for (int j = 0; j < gpuFree.length; j++) {
                int f = gpuFree[j];
                if (ok[l.gpuModel(start + j)]) {
                    if (f >= milli) fit++;
                    else below += f;
                    slots += f / milli;
                } else {
                    below += f;
                }
            }
            int count = acc.groupCount[k];
            if (saturating) gpuSide[k] = slots / count; // copies the GPUs alone allow
            else gpuSide[k] = fit >= count ? below : -1; // -1: the shape does not fit
        }
        int[] groupOf = acc.groupOf;
        long[] weight = acc.weight;
        long sum = 0;
        for (int i = 0; i < shapes.length; i++) {
            long c = cpu[i], m = memory[i];
            long frag;
            if (c > cpuFree || m > memoryFree) frag = total;
            else if (cpuOnly[i]) frag = saturating ? 0 : total; // FGD: no CPU-only task uses an idle GPU
            else if (saturating) {
                // copies = min(GPU copies, cpuFree / c, memoryFree / m); a division only where it is the smaller
                // (cpuFree / c < copies exactly when cpuFree < copies x c), as divisions dominated this loop.
                long copies = gpuSide[groupOf[i]];
                if (c > 0 && cpuFree < copies * c) copies = cpuFree / c;
                if (m > 0 && memoryFree < copies * m) copies = memoryFree / m;
                frag = total - copies * gpuMilli[i];
            } else {
                long side = gpuSide[groupOf[i]];
                frag = side < 0 ? total : side;
            }
            sum += weight[i] * frag;
        }
        return sum;
    }

    /** The home scarcity weights for layout l (see the class comment). */
    private long[] homeWeights(ClusterLayout l, int[] groupOf, boolean[][] groupOk) {
        // Servers of one kind (CPU, memory, GPUs of each model) are homes for the same shapes: count GPUs per kind.
        java.util.Map<List<Long>, Long> kinds = new java.util.LinkedHashMap<>();
        for (int s = 0; s < l.serverCount(); s++) {
            List<Long> kind = new java.util.ArrayList<>(List.of(l.cpuCapacity(s), l.memoryCapacity(s)));
            long[] perModel = new long[l.modelCount()];
            for (int g = l.gpuStart(s); g < l.gpuEnd(s); g++) perModel[l.gpuModel(g)]++;
            for (long n : perModel) kind.add(n);
            kinds.merge(kind, (long) l.gpusOn(s), Long::sum);
        }
        long[] w = weight.clone();
        for (int i = 0; i < shapes.length; i++) {
            if (cpuOnly[i]) continue;
            boolean[] ok = groupOk[groupOf[i]];
            long home = 0, ref = 0; // GPUs on servers that hold the shape; on servers with its GPU count at all
            for (var e : kinds.entrySet()) {
                List<Long> k = e.getKey();
                long gpusOn = 0; // per server of the kind, any model
                for (int m = 2; m < k.size(); m++) gpusOn += k.get(m);
                if (gpusOn >= shapes[i].gpuCount()) ref += e.getValue();
                if (k.get(0) < cpu[i] || k.get(1) < memory[i]) continue;
                long accepted = 0;
                for (int m = 0; m < ok.length; m++) if (ok[m]) accepted += k.get(2 + m);
                if (accepted >= shapes[i].gpuCount()) home += e.getValue();
            }
            if (home == 0) continue;
            double f = (double) ref / home;
            w[i] = Math.round(weight[i] * f * f);
        }
        return w;
    }

    private Acceptance acceptance(ClusterLayout l) {
        Acceptance a = acceptance;
        if (a != null && a.layout == l) return a;
        java.util.Map<List<Object>, Integer> ids = new java.util.HashMap<>();
        int[] groupOf = new int[shapes.length];
        List<int[]> keys = new java.util.ArrayList<>();
        List<boolean[]> oks = new java.util.ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            TaskGroup t = shapes[i];
            boolean[] ok = new boolean[l.modelCount()];
            for (int m = 0; m < ok.length; m++)
                ok[m] = t.acceptedModels().isEmpty() || t.acceptedModels().contains(l.modelName(m));
            List<Object> key = List.of(t.gpuCount(), t.milliGpuPerGpu(), java.util.Arrays.toString(ok));
            Integer id = ids.get(key);
            if (id == null) {
                ids.put(key, id = keys.size());
                keys.add(new int[]{t.gpuCount(), t.milliGpuPerGpu()});
                oks.add(ok);
            }
            groupOf[i] = id;
        }
        int[] count = keys.stream().mapToInt(k -> k[0]).toArray();
        int[] milli = keys.stream().mapToInt(k -> k[1]).toArray();
        boolean[][] groupOk = oks.toArray(boolean[][]::new);
        a = new Acceptance(l, groupOf, count, milli, groupOk, homeScarcity ? homeWeights(l, groupOf, groupOk) : weight);
        acceptance = a;
        return a;
    }
}
