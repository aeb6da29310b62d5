package io.berth.core.replay;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.FragmentationModel;
import io.berth.core.placement.plugins.Profiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Replays an openb task list under the published protocol for one policy and several seeds.
 * Progress goes to stderr; the allocation curve is written as CSV and SVG to --out; the last stdout line is
 * {@code RESULT tasks=<file> policy=<name> seeds=<n> unallocated_at_100=<mean %> sd=<sd> alloc_at_130=<mean %> frag_at_80=<mean %>}.
 *
 * <p>Options: --nodes FILE --tasks FILE --policy NAME --seeds A..B (or A,B,C) [--out DIR] [--threads N].
 * Relative paths resolve against the working directory.
 */
public final class TraceReplay {
    private TraceReplay() {}

    public static void main(String[] args) throws Exception {
        ReplayOptions o;
        try {
            o = ReplayOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(ReplayOptions.USAGE);
            System.exit(2);
            return;
        }
        System.out.println(run(o));
    }

    /** Runs the replay and returns the RESULT line. */
    static String run(ReplayOptions o) throws Exception {
        var snapshot = ClusterSnapshot.of(TraceFiles.nodes(o.nodes()));
        List<TaskGroup> tasks = TraceFiles.tasks(o.tasks());
        var settings = new PluginSettings(TypicalWorkload.histogram(tasks));
        PlacementEngine engine = BuiltinPlugins.registry().engine(
                Profiles.named(o.policy()).withTieBreak(o.tieBreak()).withMaxFeasible(o.maxFeasible()), settings);
        var frag = FragmentationModel.typical(settings.typicalWorkload());
        System.err.printf(Locale.US, "replay %s: %d servers, %d GPUs, %d tasks, %d typical shapes (95%%), policy %s, tie-break %s, max-feasible %d, seeds %s%n",
                o.tasks().getFileName(), snapshot.layout().serverCount(), snapshot.layout().gpuCount(), tasks.size(),
                frag.workload().size(), o.policy(), o.tieBreak().name().toLowerCase(Locale.ROOT), o.maxFeasible(), o.seeds());
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        List<ReplayRun> runs = new ArrayList<>();
        try {
            List<Future<ReplayRun>> futures = new ArrayList<>();
            for (long seed : o.seeds())
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    ReplayRun r = ReplayRun.run(snapshot, tasks, engine, frag, seed);
                    System.err.printf(Locale.US, "  seed %d: %d/%d tasks placed, unallocated@100=%.2f%% alloc@130=%.2f%% frag@80=%.2f%% (%.1f s)%n",
                            seed, r.placed(), r.tried(), r.unallocatedAt100(), r.allocAt130(), r.fragAt80(),
                            (System.nanoTime() - t0) / 1e9);
                    return r;
                }));
            for (Future<ReplayRun> f : futures) runs.add(f.get());
        } finally {
            pool.shutdown();
        }
        String base = stem(o.tasks()) + "_" + o.policy();
        Path csv = o.out().resolve(base + ".csv"), svg = o.out().resolve(base + ".svg");
        ReplayReport.write(runs, csv, svg, base);
        System.err.println("curve written to " + csv + " and " + svg);
        return ReplayReport.resultLine(o.tasks().getFileName().toString(), o.policy(), runs);
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
    }
}
