package io.berth.core.replay;

import io.berth.core.scheduling.CyclePolicies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Command-line options of {@link TraceSimulation}; every missing or malformed option fails with a message.
 *
 * @param policy       queue policy: fifo, greedy or berth ({@link CyclePolicies#named})
 * @param placement    placement profile; null = the policy's own (bestfit for fifo and greedy, berth for berth)
 * @param load         arrival-rate factor: inter-arrival times are divided by it (1.5 = 50 % more load), > 0
 * @param times        a task list to take the times from (by task name) when {@code tasks} has no time columns
 * @param maxFeasible  servers scored per replica; -1 = as the control plane's auto setting (every feasible server
 *                     up to 1,000 servers, the first 100 above)
 * @param limit        use only the first n tasks (0 = all)
 * @param repeat       the list is offered this many times back to back, copy k arriving k trace spans after the
 *                     first: the openb lists ask for 91-114 % of the cluster's GPUs in all, so one pass alone cannot
 *                     keep a queue for long
 * @param suspendAfter power saving: servers idle this many seconds are suspended (0 = power saving off)
 * @param resumeTime   seconds a suspended server takes to come back
 * @param keepIdle     idle servers always kept on
 * @param powerRate    servers suspended, and servers resumed, per minute at most
 */
record SimulationOptions(Path nodes, Path tasks, String policy, String placement, double load, Path out, Path times,
                         long seed, int maxFeasible, int limit, int repeat, long suspendAfter, long resumeTime,
                         int keepIdle, int powerRate) {
    static final String USAGE = "usage: TraceSimulation --nodes FILE --tasks FILE --policy fifo|greedy|berth "
            + "[--placement PROFILE] [--load 1.0] [--out DIR (default target/simulation)] [--times FILE] [--seed 42] "
            + "[--max-feasible -1] [--limit N] [--repeat 1] [--suspend-after SECONDS (0 = no power saving)] "
            + "[--resume-time 300] [--keep-idle 0] [--power-rate 100]";

    static SimulationOptions parse(String[] args) {
        Path nodes = null, tasks = null, times = null, out = Path.of("target", "simulation");
        String policy = null, placement = null;
        double load = 1.0;
        long seed = 42;
        int maxFeasible = -1, limit = 0, repeat = 1, keepIdle = 0, powerRate = 100;
        long suspendAfter = 0, resumeTime = 300;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
            String v = args[++i];
            try {
                switch (a) {
                    case "--nodes" -> nodes = Path.of(v);
                    case "--tasks" -> tasks = Path.of(v);
                    case "--policy" -> policy = v;
                    case "--placement" -> placement = v;
                    case "--load" -> load = Double.parseDouble(v);
                    case "--out" -> out = Path.of(v);
                    case "--times" -> times = Path.of(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--max-feasible" -> maxFeasible = Integer.parseInt(v);
                    case "--limit" -> limit = Integer.parseInt(v);
                    case "--repeat" -> repeat = Integer.parseInt(v);
                    case "--suspend-after" -> suspendAfter = Long.parseLong(v);
                    case "--resume-time" -> resumeTime = Long.parseLong(v);
                    case "--keep-idle" -> keepIdle = Integer.parseInt(v);
                    case "--power-rate" -> powerRate = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + " is not a number: '" + v + "'");
            }
        }
        if (nodes == null || tasks == null || policy == null)
            throw new IllegalArgumentException("--nodes, --tasks and --policy are required");
        CyclePolicies.named(policy); // fails with the known names
        for (Path p : times == null ? List.of(nodes, tasks) : List.of(nodes, tasks, times))
            if (!Files.isReadable(p)) throw new IllegalArgumentException("cannot read " + p.toAbsolutePath());
        if (!(load > 0) || Double.isInfinite(load)) throw new IllegalArgumentException("--load must be > 0, was " + load);
        if (maxFeasible < -1) throw new IllegalArgumentException("--max-feasible must be >= -1");
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0");
        if (repeat < 1 || repeat > 1000) throw new IllegalArgumentException("--repeat must be 1..1000");
        if (suspendAfter < 0) throw new IllegalArgumentException("--suspend-after must be >= 0");
        if (resumeTime < 0) throw new IllegalArgumentException("--resume-time must be >= 0");
        if (keepIdle < 0) throw new IllegalArgumentException("--keep-idle must be >= 0");
        if (powerRate < 1) throw new IllegalArgumentException("--power-rate must be >= 1");
        return new SimulationOptions(nodes, tasks, policy, placement, load, out, times, seed, maxFeasible, limit, repeat,
                suspendAfter, resumeTime, keepIdle, powerRate);
    }

    /** The placement profile: the given one, else bestfit for fifo and greedy and berth for berth. */
    String placementProfile() {
        return placement != null ? placement : policy.equals("berth") ? "berth" : "bestfit";
    }
}
