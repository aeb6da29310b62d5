package io.berth.api.scheduling;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.plugins.Profiles;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/**
 * The placement engine of the configured policy, built once at start-up: an unknown policy name or bad weight stops
 * the control plane with the engine's message. Fragmentation-aware policies get a typical workload of common
 * training shapes (a fraction of a GPU, 1, 2, 4 and 8 whole GPUs).
 */
@Component
public class Placement implements io.berth.api.jobs.JobService.JobFeasibility {
    private final PlacementEngine engine;
    private final ClusterView cluster;

    Placement(SchedulerProperties properties, ClusterView cluster) {
        this.cluster = cluster;
        try {
            this.engine = Profiles.engine(properties.policy(), new PluginSettings(List.of(
                    shape(1, 500, 40), shape(1, 1000, 30), shape(2, 1000, 10), shape(4, 1000, 10),
                    shape(8, 1000, 10))));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("berth.scheduler.policy: " + e.getMessage(), e);
        }
    }

    private static PluginSettings.WeightedShape shape(int gpus, int milli, long weight) {
        return new PluginSettings.WeightedShape(TaskGroup.single("typical", 4000, 16384, gpus, milli, Set.of()), weight);
    }

    PlacementEngine engine() {
        return engine;
    }

    /** Could the job run on this cluster if it were empty and every server in service? */
    @Override
    public PlacementResult canEverFit(JobRequest job) {
        return engine.canEverFit(ClusterSnapshot.of(cluster.inventory()), job);
    }
}
