package io.berth.core.replay;

import io.berth.core.placement.Profile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command-line options of {@link TraceReplay}; every missing or malformed option fails with a message. */
record ReplayOptions(Path nodes, Path tasks, String policy, List<Long> seeds, Path out, int threads,
                     Profile.TieBreak tieBreak, int maxFeasible, Path dump, Workload workload) {
    static final String USAGE = "usage: TraceReplay --nodes FILE --tasks FILE --policy NAME [--seeds 42..51] "
            + "[--out DIR (default target/replay)] [--threads N (default 1)] [--tie-break random|packing (default random)] "
            + "[--max-feasible N (default 0 = score every server)] [--dump FILE] [--workload list|online (default list)]";

    /** Where the fragmentation-aware scorers get their typical workload from. */
    enum Workload {
        /** The task list's shape histogram, known before the run (the paper's protocol). */
        LIST,
        /** Learned while replaying, from the tasks that already arrived (as the product does). */
        ONLINE;

        static Workload parse(String s) {
            for (Workload w : values()) if (w.name().equalsIgnoreCase(s)) return w;
            throw new IllegalArgumentException("unknown workload '" + s + "'; known: list, online");
        }
    }

    ReplayOptions(Path nodes, Path tasks, String policy, List<Long> seeds, Path out, int threads) {
        this(nodes, tasks, policy, seeds, out, threads, Profile.TieBreak.RANDOM, 0, null, Workload.LIST);
    }

    static ReplayOptions parse(String[] args) {
        Path nodes = null, tasks = null, out = Path.of("target", "replay");
        String policy = null;
        List<Long> seeds = seeds("42..51");
        int threads = 1, maxFeasible = 0;
        Profile.TieBreak tieBreak = Profile.TieBreak.RANDOM;
        Path dump = null;
        Workload workload = Workload.LIST;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
            String v = args[++i];
            switch (a) {
                case "--nodes" -> nodes = Path.of(v);
                case "--tasks" -> tasks = Path.of(v);
                case "--policy" -> policy = v;
                case "--seeds" -> seeds = seeds(v);
                case "--out" -> out = Path.of(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--tie-break" -> tieBreak = Profile.TieBreak.parse(v);
                case "--max-feasible" -> maxFeasible = Integer.parseInt(v);
                case "--dump" -> dump = Path.of(v);
                case "--workload" -> workload = Workload.parse(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (nodes == null || tasks == null || policy == null)
            throw new IllegalArgumentException("--nodes, --tasks and --policy are required");
        for (Path p : List.of(nodes, tasks))
            if (!Files.isReadable(p)) throw new IllegalArgumentException("cannot read " + p.toAbsolutePath());
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1");
        if (maxFeasible < 0) throw new IllegalArgumentException("--max-feasible must be >= 0");
        return new ReplayOptions(nodes, tasks, policy, seeds, out, threads, tieBreak, maxFeasible, dump, workload);
    }

    /** "42..51" (inclusive range) or "42,43,50". */
    static List<Long> seeds(String spec) {
        List<Long> out = new ArrayList<>();
        if (spec.contains("..")) {
            String[] p = spec.split("\\.\\.");
            long a = Long.parseLong(p[0].trim()), b = Long.parseLong(p[1].trim());
            if (b < a) throw new IllegalArgumentException("empty seed range " + spec);
            for (long s = a; s <= b; s++) out.add(s);
        } else {
            for (String s : spec.split(",")) out.add(Long.parseLong(s.trim()));
        }
        return out;
    }
}
