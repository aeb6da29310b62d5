package io.berth.core.replay;

import io.berth.core.inventory.Server;
import io.berth.core.placement.Assignment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceSimulationTest {
    private static final Path DIR = Path.of("src/test/resources/simulation");
    private static final Path OPENB = Path.of("src/test/resources/openb");

    private static Map<String, String> result(String line) {
        assertThat(line).startsWith("RESULT ");
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : line.substring(7).split(" ")) out.put(kv.split("=")[0], kv.split("=")[1]);
        return out;
    }

    private static String run(Path out, String nodes, String tasks, String policy, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--nodes", DIR.resolve(nodes).toString(), "--tasks",
                DIR.resolve(tasks).toString(), "--policy", policy, "--out", out.toString()));
        args.addAll(List.of(more));
        return TraceSimulation.run(SimulationOptions.parse(args.toArray(String[]::new)));
    }

    /**
     * Two servers of 2 GPUs. a (0-100 s) and b (10-60 s) take all four GPUs; c (2 GPUs, arrives 20, runs 20 s) waits
     * until b leaves at 60 and ends at 80; d (4 GPUs) fits no server and is refused; e (half a GPU, arrives 30, never
     * scheduled in the trace, so it runs deletion - creation = 10 s) waits behind c, then for c's GPUs: 80 to 90.
     * Waits 0, 0, 40, 50: p50 (nearest rank 2 of 4) 0, p99 (rank 4) 50. JCT 100, 50, 60, 60: mean 67.5, rounded 68.
     * Allocation over the arrival window 0-30 s: 2 of 4 GPUs for 10 s, 4 of 4 for 20 s = (10 * 50 + 20 * 100) / 30.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "greedy", "berth"})
    void waitsCompletionTimesAndRefusals(String policy, @TempDir Path out) throws Exception {
        Map<String, String> r = result(run(out, "nodes-2x2.csv", "tasks-waits.csv", policy));
        r.remove("frag_mean");
        assertThat(r).containsExactly(Map.entry("tasks", "tasks-waits.csv"), Map.entry("policy", policy),
                Map.entry("jobs", "5"), Map.entry("wait_p50_s", "0"), Map.entry("wait_p99_s", "50"),
                Map.entry("jct_mean_s", "68"), Map.entry("gpu_alloc_mean", "83.33"), Map.entry("never_placed", "1"));
        String stem = "tasks-waits_" + policy + "_load1";
        assertThat(Files.readAllLines(out.resolve(stem + ".csv")).get(0))
                .isEqualTo("time_s,queued_jobs,queued_gpu_pct,running_jobs,gpu_alloc_pct,frag_pct,it_kw,servers_off");
        assertThat(Files.readString(out.resolve(stem + ".svg"))).startsWith("<svg").contains("queued GPU demand");
    }

    /**
     * One server of 2 GPUs; x holds one GPU 0-100 s; big (2 GPUs) arrives at 10, small (1 GPU) at 20.
     * fifo: small waits behind big (90 s) although a GPU is free; greedy: small runs at once, big still starts at 100;
     * berth: big reserves the only server, so small may not take it either: 90 s.
     */
    @ParameterizedTest(name = "{0}: waits of x, big, small = {1}")
    @CsvSource({"fifo, 0 90 90", "greedy, 0 90 0", "berth, 0 90 90"})
    void whatOvertakesABlockedTask(String policy, String waits) throws Exception {
        var snapshot = io.berth.core.placement.ClusterSnapshot.of(TraceFiles.nodes(DIR.resolve("nodes-1x2.csv")));
        var tasks = TimedTasks.read(DIR.resolve("tasks-blocked.csv"), null, 42).tasks();
        var r = simulate(snapshot, tasks, policy, 1.0);
        assertThat(String.join(" ", r.outcomes().stream().map(o -> Long.toString(o.start() - o.arrival())).toList()))
                .isEqualTo(waits);
    }

    /**
     * An openb excerpt (40 servers, 136 tasks) at a load that builds a queue: re-checked from the outcomes alone, no
     * server's CPU, memory or any GPU's share is ever over capacity, every placed task runs exactly its duration, and
     * never_placed counts the tasks without a start.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "greedy", "berth"})
    void capacityIsNeverExceeded(String policy) throws Exception {
        var inventory = TraceFiles.nodes(OPENB.resolve("nodes_excerpt.csv"));
        var snapshot = io.berth.core.placement.ClusterSnapshot.of(inventory);
        var tasks = TimedTasks.repeated(TimedTasks.read(OPENB.resolve("tasks_excerpt.csv"), null, 42).tasks(), 5);
        var r = simulate(snapshot, tasks, policy, 100_000);

        Map<String, Server> servers = new HashMap<>();
        inventory.servers().forEach(s -> servers.put(s.name(), s));
        // +1 at start, -1 at end, per server: sweep the events in time order, ends before starts at the same second
        TreeMap<Long, List<Object[]>> events = new TreeMap<>();
        int never = 0;
        for (Simulation.Outcome o : r.outcomes()) {
            if (!o.placed()) {
                never++;
                continue;
            }
            assertThat(o.end() - o.start()).isEqualTo(o.task().durationSeconds());
            assertThat(o.start()).isGreaterThanOrEqualTo(o.arrival());
            for (Assignment a : o.assignments()) {
                events.computeIfAbsent(o.start(), k -> new java.util.ArrayList<>()).add(new Object[]{a, 1});
                events.computeIfAbsent(o.end(), k -> new java.util.ArrayList<>()).add(0, new Object[]{a, -1});
            }
        }
        Map<String, long[]> used = new HashMap<>(); // cpu, memory, then milli per GPU index
        for (var e : events.entrySet()) {
            e.getValue().sort(java.util.Comparator.comparingInt(x -> (Integer) x[1]));
            for (Object[] x : e.getValue()) {
                Assignment a = (Assignment) x[0];
                int sign = (Integer) x[1];
                Server s = servers.get(a.server());
                long[] u = used.computeIfAbsent(a.server(), k -> new long[2 + s.gpuCount()]);
                u[0] += sign * a.cpuMillis();
                u[1] += sign * a.memoryMib();
                for (int g : a.gpuIndices()) u[2 + g] += sign * a.milliGpuPerGpu();
                assertThat(u[0]).as("cpu of " + s.name() + " at " + e.getKey()).isBetween(0L, s.cpuMillis());
                assertThat(u[1]).as("memory of " + s.name()).isBetween(0L, s.memoryMib());
                for (int g = 2; g < u.length; g++) assertThat(u[g]).as("GPU of " + s.name()).isBetween(0L, 1000L);
            }
        }
        assertThat(r.neverPlaced()).isEqualTo(never);
        assertThat(r.samples().stream().mapToInt(Simulation.Sample::queuedJobs).max().orElse(0))
                .as("the load builds a queue").isGreaterThan(0);
    }

    /**
     * Two servers of 8 cores and 2 T4s: each idles at 100 + 8 W (host) + 2 x 10 W (GPUs) = 128 W. a holds 4 cores and
     * both GPUs of one server 0-100 s: + (50 + 3 x 8) x 4/8 = 37 W host and 2 x 60 W GPU, so the cluster draws 413 W;
     * b adds 1 core 50-60 s: + 74/8 = 9.25 W. Energy 0-100 s: 41,300 + 92.5 J; over the arrival window 0-50 s,
     * 20,650 J. The sum does not depend on where the tasks land: both servers are alike and the model is linear.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "greedy", "berth"})
    void energyFollowsTheAllocation(String policy) throws Exception {
        var snapshot = io.berth.core.placement.ClusterSnapshot.of(TraceFiles.nodes(DIR.resolve("nodes-2x2-t4.csv")));
        var r = simulate(snapshot, TimedTasks.read(DIR.resolve("tasks-power.csv"), null, 42).tasks(), policy, 1.0, null);
        assertThat(r.energyTotalKwh() * 3.6e6).isCloseTo(41_392.5, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.energyWindowKwh() * 3.6e6).isCloseTo(20_650, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.suspends() + r.resumes()).isZero();
    }

    /**
     * Power saving after 600 idle seconds, resumes taking 300 s, on the two T4 servers (idle 128 W, 10 W suspended):
     * a runs 0-100 s on one; the other is idle from 0 and suspended at 600, a's server at 700 (idle since 100). b (a
     * whole server) arrives at 1000: one server is resumed for it (idle draw while it boots), b starts at 1300 after a
     * 300 s wait and leaves at 1350. Energy: 0-100 s 413 W, 100-600 s 256 W, 600-700 s 138 W, 700-1000 s 20 W,
     * 1000-1300 s 138 W, 1300-1350 s 285 + 10 W.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "greedy", "berth"})
    void idleServersAreSuspendedAndResumedForQueuedWork(String policy) throws Exception {
        var snapshot = io.berth.core.placement.ClusterSnapshot.of(TraceFiles.nodes(DIR.resolve("nodes-2x2-t4.csv")));
        var tasks = TimedTasks.read(DIR.resolve("tasks-suspend.csv"), null, 42).tasks();
        var r = simulate(snapshot, tasks, policy, 1.0, new io.berth.core.power.PowerSaving(true,
                java.time.Duration.ofSeconds(600), 0, 10, 10, java.util.Set.of(), java.util.Set.of(),
                java.time.Duration.ofSeconds(1200), java.time.Duration.ofSeconds(300)));
        assertThat(r.outcomes().stream().map(o -> o.start() + "-" + o.end()).toList())
                .containsExactly("0-100", "1300-1350");
        assertThat(List.of(r.suspends(), r.resumes())).containsExactly(2, 1);
        assertThat(r.energyTotalKwh() * 3.6e6).isCloseTo(41_300 + 128_000 + 13_800 + 6_000 + 41_400 + 14_750.0,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.energyWindowKwh() * 3.6e6).isCloseTo(41_300 + 128_000 + 13_800 + 6_000.0,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.samples().stream().mapToInt(Simulation.Sample::serversOff).max().orElse(0)).isEqualTo(2);
    }

    @Test
    void aListWithoutTimesTakesThemFromAnother(@TempDir Path out) throws Exception {
        // x's times come from tasks-blocked.csv by name; "other" is not there and gets one of its tasks' times
        var tasks = TimedTasks.read(DIR.resolve("tasks-no-times.csv"), DIR.resolve("tasks-blocked.csv"), 42).tasks();
        assertThat(tasks.get(0)).isEqualTo(new TimedTasks.Task(0, tasks.get(0).group(), 0, 100));
        assertThat(List.of(0L, 10L, 20L)).contains(tasks.get(1).creationSeconds());
        assertThatThrownBy(() -> run(out, "nodes-1x2.csv", "tasks-no-times.csv", "fifo"))
                .hasMessageContaining("has no creation_time").hasMessageContaining("--times");
    }

    @Test
    void loadCompressesInterArrivalTimes() throws Exception {
        var snapshot = io.berth.core.placement.ClusterSnapshot.of(TraceFiles.nodes(DIR.resolve("nodes-2x2.csv")));
        var tasks = TimedTasks.read(DIR.resolve("tasks-waits.csv"), null, 42).tasks();
        // creation 0, 10, 20, 25, 30 at load 2: 0, 5, 10, 12 (12.5 floored), 15
        assertThat(simulate(snapshot, tasks, "fifo", 2.0).outcomes().stream().map(Simulation.Outcome::arrival).toList())
                .containsExactly(0L, 5L, 10L, 12L, 15L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --policy slurm         | unknown queue policy 'slurm'; known: [fifo, greedy, berth]
            --load 0               | --load must be > 0, was 0.0
            --load x               | --load is not a number: 'x'
            --repeat 0             | --repeat must be 1..1000
            --suspend-after -1     | --suspend-after must be >= 0
            --power-rate 0         | --power-rate must be >= 1
            """)
    void badOptionsFailWithAMessage(String option, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("--nodes", DIR.resolve("nodes-1x2.csv").toString(),
                "--tasks", DIR.resolve("tasks-blocked.csv").toString(), "--policy", "fifo"));
        args.addAll(List.of(option.split(" ")));
        assertThatThrownBy(() -> SimulationOptions.parse(args.toArray(String[]::new))).hasMessage(message);
    }

    private static Simulation.Result simulate(io.berth.core.placement.ClusterSnapshot snapshot,
                                              List<TimedTasks.Task> tasks, String policy, double load) {
        return simulate(snapshot, tasks, policy, load, null);
    }

    private static Simulation.Result simulate(io.berth.core.placement.ClusterSnapshot snapshot,
                                              List<TimedTasks.Task> tasks, String policy, double load,
                                              io.berth.core.power.PowerSaving saving) {
        var groups = tasks.stream().map(TimedTasks.Task::group).toList();
        var settings = new io.berth.core.placement.PluginSettings(TypicalWorkload.histogram(groups));
        var engine = io.berth.core.placement.plugins.Profiles.engine(policy.equals("berth") ? "berth" : "bestfit", settings);
        var cycle = new io.berth.core.scheduling.SchedulingCycle(engine, io.berth.core.scheduling.CyclePolicies.named(policy));
        var power = saving == null ? null : new Simulation.PowerSetup(new io.berth.core.power.PowerPolicy(engine, saving),
                saving.expectedResume().toSeconds());
        return Simulation.run(snapshot, tasks, cycle,
                io.berth.core.placement.plugins.FragmentationModel.typical(settings.typicalWorkload()), load, 42, 50,
                power, line -> {});
    }
}
