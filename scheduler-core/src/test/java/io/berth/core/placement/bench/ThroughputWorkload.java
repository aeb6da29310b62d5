package io.berth.core.placement.bench;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Rack;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Clusters and job mixes of the throughput benchmark. A mix is a list of single-replica shapes with weights (per
 * mille, or counts): the stream of jobs draws from it, and the fragmentation-aware scorers get it as their typical
 * workload. Servers are 40 per rack, GPUs in two NVLink islands per server.
 */
final class ThroughputWorkload {
    /** The benchmark's own mix: CPU-only, quarter and half GPU, 1, 2, 4 and 8 GPUs. */
    static final List<WeightedShape> MIX = List.of(
            shape("cpu-only", 4_000, 8_192, 0, 0, 100),
            shape("quarter-gpu", 2_000, 8_192, 1, 250, 150),
            shape("half-gpu", 4_000, 16_384, 1, 500, 100),
            shape("1-gpu", 8_000, 32_768, 1, 1000, 300),
            shape("2-gpu", 16_000, 65_536, 2, 1000, 150),
            shape("4-gpu", 32_000, 131_072, 4, 1000, 120),
            shape("8-gpu", 64_000, 262_144, 8, 1000, 80));

    /**
     * A harder mix, for servers of 8 GPUs, 128 cores and 1 TiB: 30% fractional (100 to 900 milli-GPU in steps of
     * 100), 40% one GPU, 10% two, 7% four, 5% eight, 8% CPU-only (4 to 32 cores); CPU and memory in proportion to
     * the GPU share (16 cores and 128 GiB per GPU).
     */
    static final List<WeightedShape> HARDER = harder();

    private ThroughputWorkload() {}

    private static WeightedShape shape(String name, long cpu, long mem, int gpus, int milli, long weight) {
        return new WeightedShape(TaskGroup.single(name, cpu, mem, gpus, milli, null), weight);
    }

    private static List<WeightedShape> harder() {
        List<WeightedShape> mix = new ArrayList<>();
        for (int milli = 100; milli <= 900; milli += 100)
            mix.add(shape("share-" + milli, 16L * milli, 128L * milli, 1, milli, 300 / 9));
        int[][] whole = {{1, 400}, {2, 100}, {4, 70}, {8, 50}};
        for (int[] w : whole) mix.add(shape(w[0] + "-gpu", 16_000L * w[0], 131_072L * w[0], w[0], 1000, w[1]));
        for (int cores : new int[]{4, 8, 16, 32}) mix.add(shape("cpu-" + cores, 1000L * cores, 4_096L * cores, 0, 0, 20));
        return List.copyOf(mix);
    }

    /**
     * The shapes of an openb task list with their counts as weights; fractional shares rounded to steps of 100
     * milli-GPU (at least 100); accepted GPU models kept.
     */
    static List<WeightedShape> openb(Path tasks) throws IOException {
        List<String> lines = Files.readAllLines(tasks);
        Map<String, Integer> col = new HashMap<>();
        String[] header = lines.get(0).split(",", -1);
        for (int i = 0; i < header.length; i++) col.put(header[i].trim(), i);
        Map<TaskGroup, Long> counts = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            int gpus = Integer.parseInt(f[col.get("num_gpu")]);
            int milli = gpus == 0 ? 0 : Integer.parseInt(f[col.get("gpu_milli")]);
            if (milli < 1000) milli = Math.max(100, Math.min(900, Math.round(milli / 100f) * 100));
            String spec = col.containsKey("gpu_spec") ? f[col.get("gpu_spec")] : "";
            Set<String> models = spec.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(spec.split("\\|")));
            TaskGroup shape = TaskGroup.single("openb", Long.parseLong(f[col.get("cpu_milli")]),
                    Long.parseLong(f[col.get("memory_mib")]), gpus, gpus == 0 ? 0 : milli, models);
            counts.merge(shape, 1L, Long::sum);
        }
        List<WeightedShape> mix = new ArrayList<>();
        counts.forEach((shape, n) -> mix.add(new WeightedShape(shape, n)));
        return List.copyOf(mix);
    }

    static PluginSettings settings(List<WeightedShape> mix) {
        return new PluginSettings(mix);
    }

    /** A server model of a cluster: cores, memory, and GPUs of one model (none for CPU-only servers). */
    record ServerModel(long cpuMillis, long memoryMib, int gpus, String gpuModel, int gpuMemoryMib) {
    }

    /**
     * {@code uniform}: n servers of 96 cores, 768 GiB and g H100s (the benchmark's own); {@code big}: 128 cores,
     * 1 TiB and g H100s (for the harder mix); {@code mixed}: a heterogeneous cluster, in every 10 servers 4 with 8
     * A100-80G (128 cores, 1 TiB), 3 with 8 V100 (96 cores, 768 GiB), 2 with 4 T4 (64 cores, 256 GiB), 1 CPU-only
     * (128 cores, 512 GiB).
     */
    static Inventory cluster(String kind, int servers, int gpusPerServer) {
        List<ServerModel> cycle = switch (kind) {
            case "uniform" -> List.of(new ServerModel(96_000, 786_432, gpusPerServer, "H100", 81_920));
            case "big" -> List.of(new ServerModel(128_000, 1_048_576, gpusPerServer, "H100", 81_920));
            case "mixed" -> {
                ServerModel a100 = new ServerModel(128_000, 1_048_576, 8, "A100-80G", 81_920);
                ServerModel v100 = new ServerModel(96_000, 786_432, 8, "V100", 32_768);
                ServerModel t4 = new ServerModel(64_000, 262_144, 4, "T4", 16_384);
                ServerModel cpu = new ServerModel(128_000, 524_288, 0, null, 0);
                yield List.of(a100, v100, a100, t4, v100, a100, cpu, v100, a100, t4);
            }
            default -> throw new IllegalArgumentException("--cluster must be uniform, big or mixed, was " + kind);
        };
        List<Server> list = new ArrayList<>(servers);
        List<Rack> racks = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            String rack = "rack-" + (i / 40);
            if (i % 40 == 0) racks.add(new Rack(rack, "z1", "leaf-" + (i / 40)));
            ServerModel m = cycle.get(i % cycle.size());
            List<Accelerator> gpus = new ArrayList<>(m.gpus());
            for (int g = 0; g < m.gpus(); g++)
                gpus.add(new Accelerator(g, AcceleratorKind.GPU, "nvidia", m.gpuModel(), m.gpuMemoryMib(),
                        "n" + i + "-nvl" + (g * 2 / Math.max(1, m.gpus())), AcceleratorHealth.HEALTHY));
            list.add(new Server(String.format("n%05d", i), rack, m.cpuMillis(), m.memoryMib(), null, ServerState.READY,
                    400, 6_000, 100_000, gpus, null));
        }
        return new Inventory(null, racks, null, null, list, null);
    }

    /**
     * For a heterogeneous cluster: {@code share} of each GPU shape's weight moves to variants that accept one model
     * only, split between the models in proportion to their GPUs in the cluster.
     */
    static List<WeightedShape> withModelConstraints(List<WeightedShape> mix, Inventory cluster, double share) {
        Map<String, Long> gpusPerModel = new LinkedHashMap<>();
        for (Server s : cluster.servers())
            for (Accelerator a : s.accelerators()) gpusPerModel.merge(a.model(), 1L, Long::sum);
        long total = gpusPerModel.values().stream().mapToLong(Long::longValue).sum();
        List<WeightedShape> out = new ArrayList<>();
        for (WeightedShape w : mix) {
            TaskGroup t = w.shape();
            if (t.gpuCount() == 0 || !t.acceptedModels().isEmpty() || share <= 0) {
                out.add(w);
                continue;
            }
            // weights scaled by 100 so that small shares of small weights stay whole numbers
            long constrained = Math.round(w.weight() * 100 * share);
            if (w.weight() * 100 - constrained >= 1) out.add(new WeightedShape(t, w.weight() * 100 - constrained));
            for (Map.Entry<String, Long> e : gpusPerModel.entrySet()) {
                long weight = constrained * e.getValue() / total;
                if (weight < 1) continue;
                out.add(new WeightedShape(TaskGroup.single(t.name() + "@" + e.getKey(), t.cpuMillis(), t.memoryMib(),
                        t.gpuCount(), t.milliGpuPerGpu(), Set.of(e.getKey())), weight));
            }
        }
        return List.copyOf(out);
    }

    /** A job drawn from the shapes still in {@code mix} (by weight) with the given random source. */
    static JobRequest next(List<WeightedShape> mix, SplittableRandom rnd, long id) {
        long total = 0;
        for (WeightedShape w : mix) total += w.weight();
        long pick = rnd.nextLong(total);
        for (WeightedShape w : mix) {
            if (pick < w.weight()) return new JobRequest("job-" + id, "bench", 0, List.of(w.shape()));
            pick -= w.weight();
        }
        throw new IllegalStateException();
    }
}
