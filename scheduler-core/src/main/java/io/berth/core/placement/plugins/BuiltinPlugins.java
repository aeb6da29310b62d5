package io.berth.core.placement.plugins;

import io.berth.core.placement.PluginRegistry;
import io.berth.core.placement.PluginSettings;

/** The registry of every built-in filter and scorer. */
public final class BuiltinPlugins {
    private BuiltinPlugins() {}

    public static PluginRegistry registry() {
        return new PluginRegistry()
                .filter("ready", s -> new ServerReadyFilter())
                .filter("cpu", s -> new CpuFilter())
                .filter("memory", s -> new MemoryFilter())
                .filter("gpu", s -> new GpuFilter())
                .filter("storage", s -> new StorageFilter())
                .filter("network", s -> new NetworkFilter())
                .scorer("most-allocated", s -> new MostAllocatedScorer())
                .scorer("least-allocated", s -> new LeastAllocatedScorer())
                .scorer("requested-to-capacity-ratio", s -> new RequestedToCapacityRatioScorer(0, 0, 100, 100))
                .scorer("gpu-packing", s -> new GpuPackingScorer())
                .scorer("gpu-best-fit", s -> new GpuBestFitScorer())
                .scorer("topology", s -> new TopologyScorer())
                .scorer("power", s -> new PowerScorer())
                .scorer("cpu-stranding", s -> new CpuStrandingScorer(workload(s)))
                .scorer("model-scarcity", s -> new ModelScarcityScorer(workload(s)))
                .scorer("fgd", s -> new FgdScorer(FragmentationModel.typical(workload(s))))
                .scorer("berth-frag", s -> new BerthFragScorer(BerthFragScorer.model(workload(s))));
    }

    private static java.util.List<io.berth.core.placement.PluginSettings.WeightedShape> workload(PluginSettings s) {
        if (s.typicalWorkload().isEmpty())
            throw new IllegalArgumentException("fragmentation-aware scorers need PluginSettings.typicalWorkload");
        return s.typicalWorkload();
    }
}
