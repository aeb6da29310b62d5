package io.berth.core.placement.bench;

import io.berth.core.inventory.Inventory;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.Profiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput benchmark command: single-replica jobs drawn from a mix arrive one after another at an empty cluster,
 * on one thread, and nothing leaves. By default the stream goes on after the cluster is full, so refused attempts
 * (every server checked, none fits) are timed with the placements: {@code --attempts} jobs arrive, by default as many
 * as ask for twice the cluster's GPUs. {@code --until-full} is the older protocol: a shape is dropped after its first
 * failure and the fill ends when every shape has failed. Runs the stream --warmup times untimed, then once timed.
 * Last stdout line: {@code RESULT placements_per_sec=<n> servers=<n> gpus=<n> policy=<name>}, where a placement is
 * one decision, placed or refused.
 * Options: --servers 10000 --gpus 8 --policy bestfit --max-feasible 32 (0 = score every server) --warmup 2
 * --mix benchmark|harder|openb (--tasks FILE for openb) --cluster uniform|big|mixed --model-share X (share of GPU
 * jobs asking for one model; default 0.25 on the mixed cluster) --attempts N --until-full.
 */
public final class PlacementThroughput {
    private PlacementThroughput() {}

    /** nanos: wall time; cpuNanos: this thread's CPU time, less disturbed than wall time on a shared machine. */
    record Fill(long placed, long failed, long nanos, long cpuNanos, double gpuAllocatedPct) {
        long decisions() {
            return placed + failed;
        }
    }

    public static void main(String[] args) throws IOException {
        int servers = 10_000, gpus = 8, maxFeasible = 32, warmup = 2;
        long attempts = -1;
        boolean untilFull = false;
        double modelShare = -1;
        String policy = "bestfit", mixName = "benchmark", clusterKind = "uniform";
        Path tasks = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--until-full")) {
                untilFull = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(option + " needs a value");
            String value = args[++i];
            switch (option) {
                case "--servers" -> servers = Integer.parseInt(value);
                case "--gpus" -> gpus = Integer.parseInt(value);
                case "--policy" -> policy = value;
                case "--max-feasible" -> maxFeasible = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--mix" -> mixName = value;
                case "--tasks" -> tasks = Path.of(value);
                case "--cluster" -> clusterKind = value;
                case "--model-share" -> modelShare = Double.parseDouble(value);
                case "--attempts" -> attempts = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        long heapStart = usedHeap();
        Inventory inventory = ThroughputWorkload.cluster(clusterKind, servers, gpus);
        long heapBefore = usedHeap();
        var snapshot = ClusterSnapshot.of(inventory);
        long heapAfter = usedHeap();
        snapshot.workingCopy().allocatedGpuMilli(); // a working copy is what a cycle adds on top
        System.err.printf(Locale.US, "heap: inventory records %.1f MiB, snapshot of %d servers / %d GPUs %.1f MiB%n",
                (heapBefore - heapStart) / 1048576.0, servers, snapshot.layout().totalGpuMilli() / 1000,
                (heapAfter - heapBefore) / 1048576.0);

        List<WeightedShape> mix = switch (mixName) {
            case "benchmark" -> ThroughputWorkload.MIX;
            case "harder" -> ThroughputWorkload.HARDER;
            case "openb" -> {
                if (tasks == null) throw new IllegalArgumentException("--mix openb needs --tasks FILE (an openb pod list)");
                yield ThroughputWorkload.openb(tasks);
            }
            default -> throw new IllegalArgumentException("--mix must be benchmark, harder or openb, was " + mixName);
        };
        if (modelShare < 0) modelShare = clusterKind.equals("mixed") ? 0.25 : 0;
        mix = ThroughputWorkload.withModelConstraints(mix, inventory, modelShare);
        if (attempts < 0) attempts = Math.round(2.0 * snapshot.layout().totalGpuMilli() / meanGpuMilli(mix));

        PlacementEngine engine = BuiltinPlugins.registry().engine(Profiles.named(policy).withMaxFeasible(maxFeasible),
                ThroughputWorkload.settings(mix));
        for (int w = 0; w < warmup; w++) {
            Fill f = run(snapshot, engine, mix, untilFull, attempts, 1000 + w);
            System.err.printf(Locale.US, "warm-up %d: %d placed, %d refused in %.2f s%n", w + 1, f.placed(), f.failed(),
                    f.nanos() / 1e9);
        }
        Fill f = run(snapshot, engine, mix, untilFull, attempts, 1);
        double perSec = f.decisions() / (f.nanos() / 1e9);
        System.err.printf(Locale.US, "timed: %d placed, %d refused, %.2f s (%.0f placed/s), thread CPU %.2f s (%.0f "
                        + "decisions per CPU second), cluster GPU %.1f%% allocated; mix %s (%d shapes), cluster %s, "
                        + "max-feasible %d%n", f.placed(), f.failed(), f.nanos() / 1e9, f.placed() / (f.nanos() / 1e9),
                f.cpuNanos() / 1e9, f.decisions() / (f.cpuNanos() / 1e9), f.gpuAllocatedPct(), mixName, mix.size(),
                clusterKind, maxFeasible);
        System.out.printf(Locale.US, "RESULT placements_per_sec=%.0f servers=%d gpus=%d policy=%s%n", perSec, servers,
                snapshot.layout().totalGpuMilli() / 1000, policy);
    }

    /** Mean milli-GPU a job of the mix asks for. */
    static double meanGpuMilli(List<WeightedShape> mix) {
        double weight = 0, milli = 0;
        for (WeightedShape w : mix) {
            weight += w.weight();
            milli += (double) w.weight() * w.shape().gpuCount() * w.shape().milliGpuPerGpu();
        }
        return Math.max(1, milli / weight);
    }

    static Fill run(ClusterSnapshot snapshot, PlacementEngine engine, List<WeightedShape> shapes, boolean untilFull,
                    long attempts, long seed) {
        PlacementState st = snapshot.workingCopy();
        SplittableRandom jobs = new SplittableRandom(seed), ties = new SplittableRandom(seed + 1);
        long placed = 0, failed = 0, id = 0;
        List<WeightedShape> mix = new ArrayList<>(shapes);
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        while (untilFull ? !mix.isEmpty() : id < attempts) {
            JobRequest job = ThroughputWorkload.next(mix, jobs, id++);
            if (engine.place(st, job, ties) instanceof PlacementResult.Placed) {
                placed++;
            } else {
                failed++;
                if (untilFull) mix.removeIf(w -> w.shape() == job.taskGroups().get(0));
            }
        }
        long nanos = System.nanoTime() - t0;
        long cpuNanos = threads.getCurrentThreadCpuTime() - c0;
        return new Fill(placed, failed, nanos, cpuNanos,
                100.0 * st.allocatedGpuMilli() / snapshot.layout().totalGpuMilli());
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
