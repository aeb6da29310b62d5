package io.berth.core.placement.bench;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.Profiles;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput benchmark command: fills an empty cluster of --servers servers with --gpus GPUs each with jobs of
 * mixed shapes, one thread, until the cluster is full: nothing ever leaves, so a shape that fails once can never fit
 * again and is dropped from the mix; the fill ends when every shape has failed. Failed attempts count in the time. Runs the fill --warmup times untimed, then once timed.
 * Last stdout line: {@code RESULT placements_per_sec=<n> servers=<n> gpus=<n> policy=<name>}.
 * Options: --servers 10000 --gpus 8 --policy bestfit --max-feasible 32 (0 = score every server) --warmup 2.
 */
public final class PlacementThroughput {
    private PlacementThroughput() {}

    record Fill(long placed, long failed, long nanos, double gpuAllocatedPct) {}

    public static void main(String[] args) {
        int servers = 10_000, gpus = 8, maxFeasible = 32, warmup = 2;
        String policy = "bestfit";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--servers" -> servers = Integer.parseInt(args[i + 1]);
                case "--gpus" -> gpus = Integer.parseInt(args[i + 1]);
                case "--policy" -> policy = args[i + 1];
                case "--max-feasible" -> maxFeasible = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long heapStart = usedHeap();
        var inventory = ThroughputWorkload.cluster(servers, gpus);
        long heapBefore = usedHeap();
        var snapshot = ClusterSnapshot.of(inventory);
        long heapAfter = usedHeap();
        snapshot.workingCopy().allocatedGpuMilli(); // a working copy is what a cycle adds on top
        System.err.printf(Locale.US, "heap: inventory records %.1f MiB, snapshot of %d servers / %d GPUs %.1f MiB%n",
                (heapBefore - heapStart) / 1048576.0, servers, servers * gpus, (heapAfter - heapBefore) / 1048576.0);
        PlacementEngine engine = BuiltinPlugins.registry().engine(Profiles.named(policy).withMaxFeasible(maxFeasible),
                ThroughputWorkload.settings());
        for (int w = 0; w < warmup; w++) {
            Fill f = fill(snapshot, engine, 1000 + w);
            System.err.printf(Locale.US, "warm-up %d: %d placed in %.2f s%n", w + 1, f.placed(), f.nanos() / 1e9);
        }
        Fill f = fill(snapshot, engine, 1);
        double perSec = f.placed() / (f.nanos() / 1e9);
        System.err.printf(Locale.US, "timed: %d placed, %d failed, %.2f s, cluster GPU %.1f%% allocated (max-feasible %d)%n",
                f.placed(), f.failed(), f.nanos() / 1e9, f.gpuAllocatedPct(), maxFeasible);
        System.out.printf(Locale.US, "RESULT placements_per_sec=%.0f servers=%d gpus=%d policy=%s%n", perSec, servers,
                servers * gpus, policy);
    }

    static Fill fill(ClusterSnapshot snapshot, PlacementEngine engine, long seed) {
        PlacementState st = snapshot.workingCopy();
        SplittableRandom jobs = new SplittableRandom(seed), ties = new SplittableRandom(seed + 1);
        long placed = 0, failed = 0, id = 0;
        var mix = new java.util.ArrayList<>(ThroughputWorkload.MIX);
        long t0 = System.nanoTime();
        while (!mix.isEmpty()) {
            JobRequest job = ThroughputWorkload.next(mix, jobs, id++);
            if (engine.place(st, job, ties) instanceof PlacementResult.Placed) {
                placed++;
            } else {
                failed++;
                mix.removeIf(w -> w.shape() == job.taskGroups().get(0));
            }
        }
        long nanos = System.nanoTime() - t0;
        return new Fill(placed, failed, nanos, 100.0 * st.allocatedGpuMilli() / snapshot.layout().totalGpuMilli());
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
