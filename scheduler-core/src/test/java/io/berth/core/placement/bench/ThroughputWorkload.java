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

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic cluster and job mix of the throughput benchmark: n servers of 96 cores, 768 GiB and g GPUs (two
 * NVLink islands of g/2), 40 per rack; jobs of one replica drawn from a fixed mix of shapes (CPU-only,
 * quarter and half GPU, 1, 2, 4 and 8 GPUs).
 */
final class ThroughputWorkload {
    /** Shape and weight (per mille of jobs). */
    static final List<WeightedShape> MIX = List.of(
            shape("cpu-only", 4_000, 8_192, 0, 0, 100),
            shape("quarter-gpu", 2_000, 8_192, 1, 250, 150),
            shape("half-gpu", 4_000, 16_384, 1, 500, 100),
            shape("1-gpu", 8_000, 32_768, 1, 1000, 300),
            shape("2-gpu", 16_000, 65_536, 2, 1000, 150),
            shape("4-gpu", 32_000, 131_072, 4, 1000, 120),
            shape("8-gpu", 64_000, 262_144, 8, 1000, 80));

    private ThroughputWorkload() {}

    private static WeightedShape shape(String name, long cpu, long mem, int gpus, int milli, long weight) {
        return new WeightedShape(TaskGroup.single(name, cpu, mem, gpus, milli, null), weight);
    }

    static PluginSettings settings() {
        return new PluginSettings(MIX);
    }

    static Inventory cluster(int servers, int gpusPerServer) {
        List<Server> list = new ArrayList<>(servers);
        List<Rack> racks = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            String rack = "rack-" + (i / 40);
            if (i % 40 == 0) racks.add(new Rack(rack, "z1", "leaf-" + (i / 40)));
            List<Accelerator> gpus = new ArrayList<>(gpusPerServer);
            for (int g = 0; g < gpusPerServer; g++)
                gpus.add(new Accelerator(g, AcceleratorKind.GPU, "nvidia", "H100", 81_920,
                        "n" + i + "-nvl" + (g * 2 / Math.max(1, gpusPerServer)), AcceleratorHealth.HEALTHY));
            list.add(new Server(String.format("n%05d", i), rack, 96_000, 786_432, null, ServerState.READY, 400, 6_000,
                    100_000, gpus, null));
        }
        return new Inventory(null, racks, null, null, list, null);
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
