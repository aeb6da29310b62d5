package io.berth.core.replay;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Re-checks a replay's --dump with its own arithmetic on the CSV files, using no engine class: no server's CPU or
 * memory and no GPU's share is ever exceeded, every reported failure fit on no server at that moment, and the RESULT
 * line's figures (unallocated at 100%, allocation at 130%, FGD fragmentation at 80%) follow from the dump.
 */
class ReplayDumpCheckTest {
    private static final Path NODES = Path.of("src/test/resources/openb/nodes_excerpt.csv");
    private static final Path TASKS = Path.of("src/test/resources/openb/tasks_excerpt.csv");

    private record Node(String name, long cpu, long mem, String model, int gpus) {}

    private record Row(long seed, int index, String name, long cpu, long mem, int gpus, int milli, Set<String> models,
                       String server, List<Integer> gpuIdx, String failure) {}

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "berth,      list,   random,  0",
            "fgd,        list,   packing, 0",
            "bestfit,    list,   random,  3",
            "berth,      online, packing, 2",
    })
    void dumpIsConsistentAndExplainsTheResult(String policy, String workload, String tieBreak, int maxFeasible,
                                              @TempDir Path dir) throws Exception {
        Path dump = dir.resolve("dump.csv");
        String result = TraceReplay.run(ReplayOptions.parse(new String[]{"--nodes", NODES.toString(), "--tasks",
                TASKS.toString(), "--policy", policy, "--seeds", "42..44", "--out", dir.toString(), "--dump", dump.toString(),
                "--workload", workload, "--tie-break", tieBreak, "--max-feasible", String.valueOf(maxFeasible)}));

        List<Node> nodes = new ArrayList<>();
        for (String[] f : csv(NODES))
            nodes.add(new Node(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), f[4], Integer.parseInt(f[3])));
        long capacity = nodes.stream().mapToLong(n -> 1000L * n.gpus()).sum();
        List<String[]> tasks = csv(TASKS);
        Map<Long, List<Row>> bySeed = new TreeMap<>();
        for (String[] f : csv(dump))
            bySeed.computeIfAbsent(Long.parseLong(f[0]), k -> new ArrayList<>()).add(new Row(Long.parseLong(f[0]),
                    Integer.parseInt(f[1]), f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[5]),
                    Integer.parseInt(f[6]), f[7].isEmpty() ? Set.of() : Set.of(f[7].split("\\|")), f[8],
                    f[9].isEmpty() ? List.of() : java.util.Arrays.stream(f[9].split("\\|")).map(Integer::valueOf).toList(),
                    f.length > 10 ? f[10] : ""));
        assertThat(bySeed.keySet()).containsExactly(42L, 43L, 44L);

        List<Typical> typical = typicalShapes(tasks);
        double un = 0, alloc = 0, frag = 0;
        int failures = 0;
        for (List<Row> rows : bySeed.values()) {
            // the first rows are the task list itself, shuffled; indexes are contiguous
            assertThat(rows.subList(0, tasks.size()).stream().map(Row::name).sorted().toList())
                    .isEqualTo(tasks.stream().map(f -> f[0]).sorted().toList());
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) at.put(nodes.get(i).name(), i);
            long[] cpu = nodes.stream().mapToLong(Node::cpu).toArray(), mem = nodes.stream().mapToLong(Node::mem).toArray();
            int[][] gpu = nodes.stream().map(n -> { int[] g = new int[n.gpus()]; java.util.Arrays.fill(g, 1000); return g; })
                    .toArray(int[][]::new);
            long arrived = 0, allocated = 0;
            int nextPct = 0;
            double un100 = Double.NaN, alloc130 = Double.NaN, frag80 = Double.NaN;
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                assertThat(r.index()).isEqualTo(i);
                if (r.server().isEmpty()) {
                    failures++;
                    assertThat(r.failure()).isNotBlank();
                    for (int s = 0; s < nodes.size(); s++)
                        assertThat(fits(nodes.get(s), cpu[s], mem[s], gpu[s], r))
                                .as("seed %d task %d reported unschedulable but fits %s", r.seed(), i, nodes.get(s).name())
                                .isFalse();
                } else {
                    int s = at.get(r.server());
                    Node n = nodes.get(s);
                    assertThat(r.gpuIdx()).doesNotHaveDuplicates().hasSize(r.gpus());
                    cpu[s] -= r.cpu();
                    mem[s] -= r.mem();
                    assertThat(cpu[s]).as("CPU of %s after task %d", n.name(), i).isNotNegative();
                    assertThat(mem[s]).as("memory of %s after task %d", n.name(), i).isNotNegative();
                    for (int g : r.gpuIdx()) {
                        assertThat(r.models().isEmpty() || r.models().contains(n.model())).isTrue();
                        gpu[s][g] -= r.milli();
                        assertThat(gpu[s][g]).as("GPU %d of %s after task %d", g, n.name(), i).isNotNegative();
                    }
                    allocated += (long) r.gpus() * r.milli();
                }
                arrived += (long) r.gpus() * r.milli();
                while (nextPct <= 130 && arrived * 100 >= (long) nextPct * capacity) {
                    double pct = 100.0 * allocated / capacity;
                    if (nextPct == 100) un100 = 100 - pct;
                    if (nextPct == 130) alloc130 = pct;
                    if (nextPct == 80) frag80 = 100.0 * fragmentation(nodes, cpu, gpu, typical) / capacity;
                    nextPct++;
                }
            }
            assertThat(nextPct).as("arrived demand reached 130%").isEqualTo(131);
            un += un100;
            alloc += alloc130;
            frag += frag80;
        }
        int n = bySeed.size();
        assertThat(failures).as("the excerpt overfills the cluster, so some tasks must fail").isPositive();
        assertThat(result).contains(String.format(Locale.US, "seeds=3 unallocated_at_100=%.2f ", un / n))
                .contains(String.format(Locale.US, " alloc_at_130=%.2f ", alloc / n))
                .endsWith(String.format(Locale.US, " frag_at_80=%.2f", frag / n));
    }

    private static boolean fits(Node n, long cpu, long mem, int[] gpu, Row r) {
        if (r.cpu() > cpu || r.mem() > mem) return false;
        if (r.gpus() == 0) return true;
        if (!r.models().isEmpty() && !r.models().contains(n.model())) return false;
        int enough = 0;
        for (int f : gpu) if (f >= r.milli()) enough++;
        return enough >= r.gpus();
    }

    private static final class Typical {
        long cpu, count;
        int gpus, milli;
        Set<String> models;
    }

    /** FGD's typical shapes (CPU, GPUs, share, models) most frequent first (ties in first-seen order), covering 95%. */
    private static List<Typical> typicalShapes(List<String[]> tasks) {
        Map<String, Typical> counts = new LinkedHashMap<>();
        for (String[] f : tasks) {
            int gpus = Integer.parseInt(f[3]);
            String spec = f.length > 5 ? f[5] : "";
            Set<String> models = spec.isEmpty() ? Set.of() : new java.util.TreeSet<>(List.of(spec.split("\\|")));
            String key = f[1] + "/" + gpus + "/" + (gpus == 0 ? 0 : f[4]) + "/" + models;
            Typical t = counts.computeIfAbsent(key, k -> {
                Typical x = new Typical();
                x.cpu = Long.parseLong(f[1]);
                x.gpus = gpus;
                x.milli = gpus == 0 ? 0 : Integer.parseInt(f[4]);
                x.models = models;
                return x;
            });
            t.count++;
        }
        List<Typical> sorted = new ArrayList<>(counts.values());
        sorted.sort((a, b) -> Long.compare(b.count, a.count));
        List<Typical> out = new ArrayList<>();
        long covered = 0;
        for (Typical s : sorted) {
            if (covered >= 0.95 * tasks.size()) break;
            out.add(s);
            covered += s.count;
        }
        return out;
    }

    /** Cluster fragmentation in milli-GPU: per server, the count-weighted idle GPU each typical shape cannot use. */
    private static long fragmentation(List<Node> nodes, long[] cpu, int[][] gpu, List<Typical> typical) {
        long sum = 0, weights = 0;
        for (Typical t : typical) weights += t.count;
        for (int s = 0; s < nodes.size(); s++) {
            long idle = 0;
            for (int f : gpu[s]) idle += f;
            for (Typical t : typical) {
                int count = t.gpus, milli = t.milli;
                long frag;
                if (count == 0 || t.cpu > cpu[s] || !(t.models.isEmpty() || t.models.contains(nodes.get(s).model()))) frag = idle;
                else {
                    int usable = 0;
                    long below = 0;
                    for (int f : gpu[s]) if (f >= milli) usable++; else below += f;
                    frag = usable >= count ? below : idle;
                }
                sum += t.count * frag;
            }
        }
        return sum / weights;
    }

    private static List<String[]> csv(Path p) throws Exception {
        List<String> lines = Files.readAllLines(p);
        return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).map(l -> l.split(",", -1)).toList();
    }
}
