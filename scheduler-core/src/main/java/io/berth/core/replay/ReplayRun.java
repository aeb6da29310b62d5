package io.berth.core.replay;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.plugins.FragmentationModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * One seed of the published "fill the cluster" protocol: shuffle the tasks with the seed, append uniform draws
 * (with replacement) until the GPU request reaches 130% of capacity, place one by one, never release.
 *
 * @param allocPctAt allocated GPU % of capacity when arrived demand first reached i % (i = 0..130)
 */
record ReplayRun(long seed, double unallocatedAt100, double allocAt130, double fragAt80, double[] allocPctAt,
                 int placed, int tried, List<String> dump) {
    static final int INFLATE_PCT = 130;
    /** Columns of the dump (one line per task tried); {@code gpus} are the server's GPU indices separated by '|'. */
    static final String DUMP_HEADER = "seed,index,name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,server,gpus,failure";

    static ReplayRun run(ClusterSnapshot snapshot, List<TaskGroup> tasks, PlacementEngine engine,
                         FragmentationModel frag, long seed) {
        return run(snapshot, tasks, EngineSource.fixed(engine), frag, seed, false);
    }

    /** @param dump keep one line per task (see {@link #DUMP_HEADER}); otherwise {@link #dump()} is empty */
    static ReplayRun run(ClusterSnapshot snapshot, List<TaskGroup> tasks, EngineSource engines,
                         FragmentationModel frag, long seed, boolean dump) {
        Random shuffle = new Random(seed);
        List<TaskGroup> order = new ArrayList<>(tasks);
        Collections.shuffle(order, shuffle);
        long capacity = snapshot.layout().totalGpuMilli();
        long total = 0;
        for (TaskGroup t : order) total += t.gpuMilliPerReplica();
        while (total * 100 < capacity * INFLATE_PCT) {
            TaskGroup t = tasks.get(shuffle.nextInt(tasks.size()));
            order.add(t);
            total += t.gpuMilliPerReplica();
        }
        PlacementState state = snapshot.workingCopy();
        SplittableRandom ties = new SplittableRandom(seed);
        double[] curve = new double[INFLATE_PCT + 1];
        int nextPct = 0, placed = 0, tried = 0;
        long arrived = 0;
        double unallocated100 = Double.NaN, frag80 = Double.NaN;
        List<String> lines = new ArrayList<>(dump ? order.size() : 0);
        for (TaskGroup t : order) {
            var job = new JobRequest(t.name(), "", 0, List.of(t));
            PlacementResult r = engines.next(t).place(state, job, ties);
            if (r instanceof PlacementResult.Placed) placed++;
            if (dump) lines.add(dumpLine(seed, tried, t, r));
            tried++;
            arrived += t.gpuMilliPerReplica();
            double allocPct = 100.0 * state.allocatedGpuMilli() / capacity;
            while (nextPct <= INFLATE_PCT && arrived * 100 >= (long) nextPct * capacity) {
                curve[nextPct] = allocPct;
                if (nextPct == 100) unallocated100 = 100.0 - allocPct;
                if (nextPct == 80) frag80 = 100.0 * frag.clusterMilli(state) / capacity;
                nextPct++;
            }
        }
        return new ReplayRun(seed, unallocated100, curve[INFLATE_PCT], frag80, curve, placed, tried, List.copyOf(lines));
    }

    private static String dumpLine(long seed, int index, TaskGroup t, PlacementResult r) {
        var sb = new StringBuilder().append(seed).append(',').append(index).append(',').append(t.name()).append(',')
                .append(t.cpuMillis()).append(',').append(t.memoryMib()).append(',').append(t.gpuCount()).append(',')
                .append(t.milliGpuPerGpu()).append(',').append(String.join("|", new java.util.TreeSet<>(t.acceptedModels())))
                .append(',');
        if (r instanceof PlacementResult.Placed p) {
            var a = p.assignments().get(0);
            sb.append(a.server()).append(',');
            sb.append(String.join("|", a.gpuIndices().stream().map(String::valueOf).toList())).append(',');
        } else {
            // one CSV field: thousands separators dropped, other commas become semicolons
            sb.append(",,").append(((PlacementResult.Unschedulable) r).summary()
                    .replaceAll("(?<=\\d),(?=\\d{3})", "").replace(',', ';'));
        }
        return sb.toString();
    }
}
