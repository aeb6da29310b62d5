package io.berth.core.replay;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.Profile;
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
 * <p>Options: --nodes FILE --tasks FILE --policy NAME --seeds A..B (or A,B,C) [--out DIR] [--threads N]
 * [--tie-break random|packing] [--max-feasible N] [--dump FILE] [--workload list|online] (see {@link ReplayOptions}).
 * Relative paths resolve against the working directory.
 */
public final class TraceReplay {
    /** Half-life of the learned workload with --workload online, in task arrivals (a whole list is ~8,000). */
    static final double ONLINE_HALF_LIFE_TASKS = 5_000;

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
        var listSettings = new PluginSettings(TypicalWorkload.histogram(tasks));
        Profile profile = Profiles.named(o.policy()).withTieBreak(o.tieBreak()).withMaxFeasible(o.maxFeasible());
        var registry = BuiltinPlugins.registry();
        PlacementEngine listEngine = o.workload() == ReplayOptions.Workload.LIST ? registry.engine(profile, listSettings) : null;
        PlacementEngine fallback = registry.engine(Profiles.named("bestfit").withTieBreak(o.tieBreak())
                .withMaxFeasible(o.maxFeasible()), PluginSettings.none());
        // The figure frag_at_80 is always FGD's measure with the task list's typical workload, whatever the policy saw.
        var frag = FragmentationModel.typical(listSettings.typicalWorkload());
        System.err.printf(Locale.US, "replay %s: %d servers, %d GPUs, %d tasks, %d typical shapes (95%%), policy %s, "
                        + "tie-break %s, max-feasible %d, workload %s, seeds %s%n",
                o.tasks().getFileName(), snapshot.layout().serverCount(), snapshot.layout().gpuCount(), tasks.size(),
                frag.workload().size(), o.policy(), o.tieBreak().name().toLowerCase(Locale.ROOT), o.maxFeasible(),
                o.workload().name().toLowerCase(Locale.ROOT), o.seeds());
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        List<ReplayRun> runs = new ArrayList<>();
        try {
            List<Future<ReplayRun>> futures = new ArrayList<>();
            for (long seed : o.seeds())
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    EngineSource engines = listEngine != null ? EngineSource.fixed(listEngine)
                            : EngineSource.online(s -> registry.engine(profile, s), fallback, ONLINE_HALF_LIFE_TASKS);
                    ReplayRun r = ReplayRun.run(snapshot, tasks, engines, frag, seed, o.dump() != null);
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
        if (o.dump() != null) {
            ReplayReport.writeDump(runs, o.dump());
            System.err.println("dump written to " + o.dump());
        }
        return ReplayReport.resultLine(o.tasks().getFileName().toString(), o.policy(), runs);
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
    }
}
