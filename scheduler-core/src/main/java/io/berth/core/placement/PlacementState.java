package io.berth.core.placement;

import java.util.BitSet;
import java.util.List;

/**
 * Free resources of a cluster during one scheduling cycle: a mutable working copy of a {@link ClusterSnapshot}.
 * Reservations and releases change only this copy. Not thread-safe; one cycle, one thread.
 * Every change is checked: a reservation that would take more than is free, or a release that would free more
 * than the capacity, throws {@link IllegalStateException} and changes nothing.
 */
public final class PlacementState implements PlacementView {
    private final ClusterLayout layout;
    private final long[] cpuFree, memoryFree, storageFree, networkFree;
    private final int[] storageBandwidthFree, gpuFree;
    private final boolean[] serverReady, gpuUsable;
    private long allocatedGpuMilli;
    /**
     * Free milli-GPU of the usable GPUs of each model (indexed by layout model id), kept current by every change so
     * that cluster-wide per-model figures cost no walk over every GPU (the model-scarcity scorer asks after every
     * placement).
     */
    private final long[] modelFreeMilli;
    /** {@link #gpuFreeMilli(int)} of each server, kept current by every change: scorers ask it per candidate. */
    private final long[] serverGpuFreeMilli;
    private ServerIndex index; // built on first use, then kept up to date
    private final int[] version;  // per server, bumped on every change; keys the memos
    private final java.util.IdentityHashMap<MemoKey, Memo> memos = new java.util.IdentityHashMap<>(4);
    private final java.util.IdentityHashMap<ScratchKey<?>, Object> scratch = new java.util.IdentityHashMap<>(4);
    /**
     * Shapes no server could take a first replica of, with why, since resources were last given back. Reserving
     * only takes resources away, so such a shape stays refused until a release: later requests of it are refused
     * without visiting the servers again (Slurm skips jobs like one that could not start, for the same reason). They
     * get the reasons of the first refusal: servers may since have failed on further constraints too.
     */
    private final java.util.Map<TaskGroup, PlacementResult.Unschedulable> refusals = new java.util.HashMap<>();

    private static final class Memo {
        final long[] value;
        final int[] version; // version + 1 of the server when value was computed; 0 = never

        Memo(int n) {
            this(new long[n], new int[n]);
        }

        Memo(long[] value, int[] version) {
            this.value = value;
            this.version = version;
        }
    }

    PlacementState(ClusterLayout layout, long[] cpuFree, long[] memoryFree, long[] storageFree, long[] networkFree,
                   int[] storageBandwidthFree, int[] gpuFree, boolean[] serverReady, boolean[] gpuUsable) {
        this.layout = layout;
        this.cpuFree = cpuFree;
        this.memoryFree = memoryFree;
        this.storageFree = storageFree;
        this.networkFree = networkFree;
        this.storageBandwidthFree = storageBandwidthFree;
        this.gpuFree = gpuFree;
        this.serverReady = serverReady;
        this.gpuUsable = gpuUsable;
        long free = 0;
        for (int f : gpuFree) free += f;
        this.allocatedGpuMilli = layout.totalGpuMilli() - free;
        this.modelFreeMilli = new long[layout.modelCount()];
        for (int g = 0; g < gpuFree.length; g++) if (gpuUsable[g]) modelFreeMilli[layout.gpuModel(g)] += gpuFree[g];
        this.serverGpuFreeMilli = new long[layout.serverCount()];
        for (int s = 0; s < serverGpuFreeMilli.length; s++)
            for (int g = layout.gpuStart(s), e = layout.gpuEnd(s); g < e; g++)
                if (gpuUsable[g]) serverGpuFreeMilli[s] += gpuFree[g];
        this.version = new int[layout.serverCount()];
    }

    @Override
    public long memoized(MemoKey key, int s, java.util.function.IntToLongFunction compute) {
        Memo m = memos.get(key);
        if (m == null) memos.put(key, m = new Memo(layout.serverCount()));
        if (m.version[s] == version[s] + 1) return m.value[s];
        long v = compute.applyAsLong(s);
        m.value[s] = v;
        m.version[s] = version[s] + 1;
        return v;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T scratch(ScratchKey<T> key, java.util.function.Supplier<T> make) {
        Object o = scratch.get(key);
        if (o == null) scratch.put(key, o = make.get());
        return (T) o;
    }

    /** The refusal of a first replica of {@code shape} (its name aside) still valid in this state, or null. */
    PlacementResult.Unschedulable refusal(TaskGroup shape) {
        return refusals.isEmpty() ? null : refusals.get(unnamed(shape));
    }

    /** Remembers that no server can take a first replica of {@code shape} until something is released. */
    void refused(TaskGroup shape, PlacementResult.Unschedulable why) {
        refusals.put(unnamed(shape), why);
    }

    private static TaskGroup unnamed(TaskGroup t) {
        return t.name().isEmpty() ? t : new TaskGroup("", t.replicas(), t.cpuMillis(), t.memoryMib(), t.gpuCount(),
                t.milliGpuPerGpu(), t.acceptedModels(), t.minGpuMemoryMib(), t.storageGib(), t.storageMbPerSec(),
                t.networkMbps(), t.gangSize(), t.topology(), t.topologyRequired());
    }

    /**
     * An independent copy (shares only the immutable layout). Memoized values come along (a few arrays per kind of
     * value), so a copy taken to place a batch of jobs, as every scheduling cycle does, does not recompute every
     * server's fragmentation.
     */
    public PlacementState copy() {
        PlacementState c = new PlacementState(layout, cpuFree.clone(), memoryFree.clone(), storageFree.clone(),
                networkFree.clone(), storageBandwidthFree.clone(), gpuFree.clone(), serverReady, gpuUsable);
        copyMemosTo(c);
        return c;
    }

    private void copyMemosTo(PlacementState c) {
        if (memos.isEmpty()) return;
        System.arraycopy(version, 0, c.version, 0, version.length);
        memos.forEach((owner, m) -> c.memos.put(owner, new Memo(m.value.clone(), m.version.clone())));
    }

    /**
     * An independent copy in which the given servers (layout indices) also count as ready, e.g. powered-off servers
     * in a "what if they were resumed" plan. Memoized values come along except those of the given servers; the
     * refusal memo only when no server became ready (a server more may take a refused shape). This state is
     * unchanged.
     *
     * @throws IllegalArgumentException for an index outside the layout
     */
    public PlacementState withReady(java.util.Set<Integer> servers) {
        PlacementState c = withReadiness(servers, true);
        boolean same = true;
        for (int s : servers) same &= serverReady[s];
        if (same) c.refusals.putAll(refusals);
        return c;
    }

    /** As {@link #withReady}, with the given servers not ready (e.g. just suspended); refusals stay valid. */
    public PlacementState withNotReady(java.util.Set<Integer> servers) {
        PlacementState c = withReadiness(servers, false);
        c.refusals.putAll(refusals);
        return c;
    }

    private PlacementState withReadiness(java.util.Set<Integer> servers, boolean value) {
        boolean[] ready = serverReady.clone();
        for (int s : servers) {
            if (s < 0 || s >= ready.length) throw new IllegalArgumentException("no server " + s + " in the layout");
            ready[s] = value;
        }
        PlacementState c = new PlacementState(layout, cpuFree.clone(), memoryFree.clone(), storageFree.clone(),
                networkFree.clone(), storageBandwidthFree.clone(), gpuFree.clone(), ready, gpuUsable);
        copyMemosTo(c);
        for (int s : servers) c.version[s]++;
        return c;
    }

    @Override
    public ClusterLayout layout() { return layout; }
    @Override
    public long cpuFree(int s) { return cpuFree[s]; }
    @Override
    public long memoryFree(int s) { return memoryFree[s]; }
    @Override
    public long storageFree(int s) { return storageFree[s]; }
    @Override
    public int storageBandwidthFree(int s) { return storageBandwidthFree[s]; }
    @Override
    public long networkFree(int s) { return networkFree[s]; }
    /** Free milli-GPU of global GPU g (0..1000). */
    @Override
    public int gpuFree(int g) { return gpuFree[g]; }
    /** READY server: takes new work. */
    @Override
    public boolean serverReady(int s) { return serverReady[s]; }
    /** HEALTHY accelerator: takes new work. */
    @Override
    public boolean gpuUsable(int g) { return gpuUsable[g]; }
    @Override
    public long allocatedGpuMilli() { return allocatedGpuMilli; }
    /** Free milli-GPU summed over the usable GPUs of layout model id m, cluster-wide. */
    @Override
    public long modelFreeMilli(int m) { return modelFreeMilli[m]; }

    /** Free milli-GPU summed over the usable GPUs of server s. */
    @Override
    public long gpuFreeMilli(int s) {
        return serverGpuFreeMilli[s];
    }

    /** True when nothing runs on server s. */
    @Override
    public boolean idle(int s) {
        if (cpuFree[s] != layout.cpuCapacity(s) || memoryFree[s] != layout.memoryCapacity(s)) return false;
        for (int g = layout.gpuStart(s), e = layout.gpuEnd(s); g < e; g++) if (gpuFree[g] != 1000) return false;
        return true;
    }

    /** Reserves an assignment made for this cluster. */
    public void reserve(Assignment a) {
        int s = serverOf(a);
        change(s, globalGpus(s, a), -a.milliGpuPerGpu(), -a.cpuMillis(), -a.memoryMib(), -a.storageGib(),
                -a.storageMbPerSec(), -a.networkMbps());
    }

    /** Gives back what {@link #reserve} took, e.g. to ask "what if this lower-priority job were preempted". */
    public void release(Assignment a) {
        int s = serverOf(a);
        change(s, globalGpus(s, a), a.milliGpuPerGpu(), a.cpuMillis(), a.memoryMib(), a.storageGib(),
                a.storageMbPerSec(), a.networkMbps());
    }

    public void release(Allocation allocation) {
        for (Assignment a : allocation.assignments()) release(a);
    }

    void reserve(int s, int[] gpus, int milli, TaskGroup t) {
        change(s, gpus, -milli, -t.cpuMillis(), -t.memoryMib(), -t.storageGib(), -t.storageMbPerSec(), -t.networkMbps());
    }

    void release(int s, int[] gpus, int milli, TaskGroup t) {
        change(s, gpus, milli, t.cpuMillis(), t.memoryMib(), t.storageGib(), t.storageMbPerSec(), t.networkMbps());
    }

    private void change(int s, int[] gpus, int milli, long cpu, long mem, long storage, int bw, long net) {
        check(cpuFree[s] + cpu, layout.cpuCapacity(s), "cpuMillis", s);
        check(memoryFree[s] + mem, layout.memoryCapacity(s), "memoryMib", s);
        check(storageFree[s] + storage, layout.storageCapacity(s), "storageGib", s);
        check(storageBandwidthFree[s] + bw, layout.storageBandwidthCapacity(s), "storageMbPerSec", s);
        if (layout.networkCapacity(s) > 0) check(networkFree[s] + net, layout.networkCapacity(s), "networkMbps", s);
        for (int g : gpus) check(gpuFree[g] + milli, 1000, "milliGpu", s);
        cpuFree[s] += cpu;
        memoryFree[s] += mem;
        storageFree[s] += storage;
        storageBandwidthFree[s] += bw;
        if (layout.networkCapacity(s) > 0) networkFree[s] += net;
        for (int g : gpus) {
            gpuFree[g] += milli;
            if (gpuUsable[g]) {
                modelFreeMilli[layout.gpuModel(g)] += milli;
                serverGpuFreeMilli[s] += milli;
            }
        }
        allocatedGpuMilli -= (long) milli * gpus.length;
        if (milli > 0 || cpu > 0 || mem > 0 || storage > 0 || bw > 0 || net > 0) refusals.clear();
        version[s]++;
        if (index != null) index.update(s);
    }

    private void check(long after, long capacity, String what, int s) {
        if (after < 0 || after > capacity)
            throw new IllegalStateException(what + " on " + layout.serverName(s) + " would become " + after
                    + " of capacity " + capacity);
    }

    private int serverOf(Assignment a) {
        int s = layout.serverIndex(a.server());
        if (s < 0) throw new IllegalArgumentException("unknown server " + a.server());
        return s;
    }

    private int[] globalGpus(int s, Assignment a) {
        List<Integer> idx = a.gpuIndices();
        int[] gpus = new int[idx.size()];
        for (int i = 0; i < gpus.length; i++) {
            gpus[i] = layout.globalGpu(s, idx.get(i));
            if (gpus[i] < 0) throw new IllegalArgumentException("no GPU " + idx.get(i) + " on " + a.server());
        }
        for (int i = 1; i < gpus.length; i++)
            for (int j = 0; j < i; j++)
                if (gpus[i] == gpus[j]) throw new IllegalArgumentException("repeated GPU index in " + a);
        return gpus;
    }

    /** Servers bucketed by their number of whole free GPUs, kept current on every change. */
    ServerIndex index() {
        if (index == null) index = new ServerIndex(this);
        return index;
    }

    /**
     * Buckets by whole free usable GPUs (0..maxGpus), and by the largest free share of a partly used GPU in bins of
     * {@link #PARTIAL_BIN} milli (bin b holds servers whose best partly used GPU has 50b..50b+49 free). Each bucket
     * comes twice: with every server, and with only the servers that have CPU left ({@code withCpu}). Servers with
     * free GPUs and no free CPU pile up as a cluster fills (GPUs stranded by CPU-heavy work), and a replica that asks
     * for CPU would visit them all only for the CPU filter to turn them away.
     */
    static final class ServerIndex {
        static final int PARTIAL_BIN = 50;
        private final PlacementState state;
        final BitSet[] byWholeFree, byWholeFreeWithCpu;
        final BitSet[] byBestPartial, byBestPartialWithCpu;
        private final int[] wholeFree, partialBin;
        private final boolean[] hasCpu;
        int cursor; // where the last indexed search stopped

        ServerIndex(PlacementState state) {
            this.state = state;
            ClusterLayout l = state.layout;
            int max = 0;
            for (int s = 0; s < l.serverCount(); s++) max = Math.max(max, l.gpusOn(s));
            byWholeFree = buckets(max + 1, l.serverCount());
            byWholeFreeWithCpu = buckets(max + 1, l.serverCount());
            byBestPartial = buckets(1000 / PARTIAL_BIN, l.serverCount());
            byBestPartialWithCpu = buckets(1000 / PARTIAL_BIN, l.serverCount());
            wholeFree = new int[l.serverCount()];
            partialBin = new int[l.serverCount()];
            hasCpu = new boolean[l.serverCount()];
            for (int s = 0; s < l.serverCount(); s++) {
                wholeFree[s] = -1;
                partialBin[s] = -1;
                update(s);
            }
        }

        private static BitSet[] buckets(int n, int servers) {
            BitSet[] b = new BitSet[n];
            for (int i = 0; i < n; i++) b[i] = new BitSet(servers);
            return b;
        }

        /** Whole-GPU buckets: all servers, or only those with CPU left. */
        BitSet[] byWholeFree(boolean withCpu) {
            return withCpu ? byWholeFreeWithCpu : byWholeFree;
        }

        /** Partial-GPU bins: all servers, or only those with CPU left. */
        BitSet[] byBestPartial(boolean withCpu) {
            return withCpu ? byBestPartialWithCpu : byBestPartial;
        }

        void update(int s) {
            ClusterLayout l = state.layout;
            int whole = 0, best = 0;
            for (int g = l.gpuStart(s), e = l.gpuEnd(s); g < e; g++) {
                if (!state.gpuUsable[g]) continue;
                int f = state.gpuFree[g];
                if (f == 1000) whole++;
                else best = Math.max(best, f);
            }
            boolean cpu = state.cpuFree[s] > 0;
            boolean cpuChanged = hasCpu[s] != cpu;
            hasCpu[s] = cpu;
            if (wholeFree[s] != whole || cpuChanged) {
                if (wholeFree[s] >= 0) {
                    byWholeFree[wholeFree[s]].clear(s);
                    byWholeFreeWithCpu[wholeFree[s]].clear(s);
                }
                byWholeFree[whole].set(s);
                if (cpu) byWholeFreeWithCpu[whole].set(s);
                wholeFree[s] = whole;
            }
            int bin = best == 0 ? -1 : best / PARTIAL_BIN;
            if (partialBin[s] != bin || cpuChanged) {
                if (partialBin[s] >= 0) {
                    byBestPartial[partialBin[s]].clear(s);
                    byBestPartialWithCpu[partialBin[s]].clear(s);
                }
                if (bin >= 0) {
                    byBestPartial[bin].set(s);
                    if (cpu) byBestPartialWithCpu[bin].set(s);
                }
                partialBin[s] = bin;
            }
        }
    }
}
