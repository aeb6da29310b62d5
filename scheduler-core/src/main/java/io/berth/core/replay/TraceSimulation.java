package io.berth.core.replay;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.FragmentationModel;
import io.berth.core.placement.plugins.Profiles;
import io.berth.core.power.PowerPolicy;
import io.berth.core.power.PowerSaving;
import io.berth.core.scheduling.CyclePolicies;
import io.berth.core.scheduling.SchedulingCycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Replays an openb task list on simulated time through the control plane's {@link SchedulingCycle} (see
 * {@link Simulation}): queue order, backfill and placement are the real policies. Progress goes to stderr; a
 * per-time-step CSV and an SVG (queued GPU demand, allocation, fragmentation) go to --out; the last stdout line is
 * {@code RESULT tasks=<file> policy=<name> jobs=<n> wait_p50_s=<n> wait_p99_s=<n> jct_mean_s=<n> gpu_alloc_mean=<%>
 * frag_mean=<%> never_placed=<n>}, after a line {@code ENERGY ...} ({@link #energyLine}). With --suspend-after, the
 * control plane's power saving policy suspends idle servers and resumes them for queued work.
 *
 * <p>Policies: {@code fifo} (priority then age, nothing overtakes a blocked task, best fit: Slurm without backfill),
 * {@code greedy} (the same order, every task that fits starts, best fit: Kubernetes' default scheduler), {@code berth}
 * (fair share, backfill around a reservation for the first blocked task, the berth placement profile).
 * Options: see {@link SimulationOptions#USAGE}. Relative paths resolve against the working directory.
 */
public final class TraceSimulation {
    /** Samples of the arrival window written to the CSV and drawn. */
    static final int SAMPLES = 500;

    private TraceSimulation() {}

    public static void main(String[] args) throws Exception {
        SimulationOptions o;
        try {
            o = SimulationOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(SimulationOptions.USAGE);
            System.exit(2);
            return;
        }
        System.out.println(run(o));
    }

    /** Runs the simulation, writes the CSV and SVG, and returns the RESULT line. */
    static String run(SimulationOptions o) throws IOException {
        ClusterSnapshot snapshot = ClusterSnapshot.of(TraceFiles.nodes(o.nodes()));
        List<TimedTasks.Task> tasks = TimedTasks.read(o.tasks(), o.times(), o.seed()).tasks();
        if (o.limit() > 0 && o.limit() < tasks.size()) tasks = tasks.subList(0, o.limit());
        tasks = TimedTasks.repeated(tasks, o.repeat());
        List<TaskGroup> groups = tasks.stream().map(TimedTasks.Task::group).toList();
        var settings = new PluginSettings(TypicalWorkload.histogram(groups));
        int maxFeasible = o.maxFeasible() >= 0 ? o.maxFeasible()
                : snapshot.layout().serverCount() <= AUTO_EXACT_UP_TO_SERVERS ? 0 : AUTO_MAX_FEASIBLE;
        var engine = BuiltinPlugins.registry().engine(Profiles.named(o.placementProfile()).withMaxFeasible(maxFeasible),
                settings);
        var cycle = new SchedulingCycle(engine, CyclePolicies.named(o.policy()));
        var frag = FragmentationModel.typical(settings.typicalWorkload());
        String name = o.policy() + (o.placement() == null ? "" : "+" + o.placement());
        System.err.printf(Locale.US, "simulate %s: %d servers, %d GPUs, %d tasks, policy %s (placement %s, max-feasible %d), "
                        + "load %.2f, %d pass(es)%n", o.tasks().getFileName(), snapshot.layout().serverCount(),
                snapshot.layout().gpuCount(), tasks.size(), o.policy(), o.placementProfile(), maxFeasible, o.load(),
                o.repeat());
        long t0 = System.nanoTime();
        Simulation.PowerSetup power = o.suspendAfter() == 0 ? null : new Simulation.PowerSetup(new PowerPolicy(engine,
                new PowerSaving(true, Duration.ofSeconds(o.suspendAfter()), o.keepIdle(), o.powerRate(), o.powerRate(),
                        Set.of(), Set.of(), Duration.ofSeconds(Math.max(1, 4 * o.resumeTime())),
                        Duration.ofSeconds(o.resumeTime()))), o.resumeTime());
        Simulation.Result r = Simulation.run(snapshot, tasks, cycle, frag, o.load(), o.seed(), SAMPLES, power,
                System.err::println);
        System.err.printf(Locale.US, "  done: %d cycles in %.1f s%n", r.cycles(), (System.nanoTime() - t0) / 1e9);
        String base = stem(o.tasks()) + "_" + name + "_load" + String.format(Locale.US, "%.0f", o.load())
                + (o.repeat() > 1 ? "_x" + o.repeat() : "") + (power == null ? "" : "_suspend" + o.suspendAfter());
        Files.createDirectories(o.out());
        Path csv = o.out().resolve(base + ".csv"), svg = o.out().resolve(base + ".svg");
        Path powerSvg = o.out().resolve(base + "_power.svg");
        SimulationReport.write(r, csv, svg, powerSvg, base);
        System.err.println("time steps written to " + csv + ", " + svg + " and " + powerSvg);
        System.out.println(energyLine(r));
        return resultLine(o.tasks().getFileName().toString(), name, r);
    }

    /** The control plane's auto max-feasible (see the scheduler's Placement): exact up to this many servers. */
    static final int AUTO_EXACT_UP_TO_SERVERS = 1_000;
    static final int AUTO_MAX_FEASIBLE = 100;

    static String resultLine(String tasks, String policy, Simulation.Result r) {
        long[] waits = r.outcomes().stream().filter(Simulation.Outcome::placed).mapToLong(x -> x.start() - x.arrival())
                .sorted().toArray();
        double jct = r.outcomes().stream().filter(Simulation.Outcome::placed).mapToLong(x -> x.end() - x.arrival())
                .average().orElse(0);
        return String.format(Locale.US, "RESULT tasks=%s policy=%s jobs=%d wait_p50_s=%d wait_p99_s=%d jct_mean_s=%d "
                        + "gpu_alloc_mean=%.2f frag_mean=%.2f never_placed=%d", tasks, policy, r.outcomes().size(),
                percentile(waits, 50), percentile(waits, 99), Math.round(jct), r.gpuAllocMeanPct(), r.fragMeanPct(),
                r.neverPlaced());
    }

    /**
     * IT energy of the run by the simulator's power model ({@link ServerPowerModel}): over the arrival window (the
     * same span whatever the policy) and until the last task left, the mean draw over the window, and the suspends
     * and resumes of power saving.
     */
    static String energyLine(Simulation.Result r) {
        long window = r.samples().isEmpty() ? 0 : r.samples().get(r.samples().size() - 1).time() - r.windowStart();
        return String.format(Locale.US, "ENERGY it_kwh_window=%.1f it_kwh_total=%.1f mean_kw_window=%.1f end_s=%d "
                        + "suspends=%d resumes=%d", r.energyWindowKwh(), r.energyTotalKwh(),
                window <= 0 ? 0 : r.energyWindowKwh() * 3600 / window, r.endTime() - r.windowStart(), r.suspends(),
                r.resumes());
    }

    /** Nearest-rank percentile of sorted values (0 when empty). */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
    }

    static long[] sorted(long... values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v;
    }
}
