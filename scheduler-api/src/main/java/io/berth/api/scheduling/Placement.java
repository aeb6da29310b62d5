package io.berth.api.scheduling;

import io.berth.core.inventory.Inventory;
import io.berth.api.jobs.JobService;
import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.Profiles;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * The placement engine of the configured policy, built once at start-up: an unknown policy name or bad weight stops
 * the control plane with the engine's message. Fragmentation-aware policies get a typical workload of common
 * training shapes (a fraction of a GPU, 1, 2, 4 and 8 whole GPUs).
 */
@Component
public class Placement implements JobService.JobFeasibility {
    /** With {@code max-feasible} = auto: clusters up to this many servers are scored exactly. */
    static final int AUTO_EXACT_UP_TO_SERVERS = 1_000;
    /** With {@code max-feasible} = auto: servers scored per replica on larger clusters. */
    static final int AUTO_MAX_FEASIBLE = 100;

    private final PlacementEngine exact;
    private final PlacementEngine large;
    private final ClusterView cluster;

    Placement(SchedulerProperties properties, ClusterView cluster) {
        this.cluster = cluster;
        try {
            PluginSettings settings = new PluginSettings(List.of(shape(1, 500, 40), shape(1, 1000, 30),
                    shape(2, 1000, 10), shape(4, 1000, 10), shape(8, 1000, 10)));
            var registry = BuiltinPlugins.registry();
            var profile = Profiles.named(properties.policy());
            if (properties.maxFeasible() >= 0) {
                exact = registry.engine(profile.withMaxFeasible(properties.maxFeasible()), settings);
                large = exact;
            } else {
                exact = registry.engine(profile.withMaxFeasible(0), settings);
                large = registry.engine(profile.withMaxFeasible(AUTO_MAX_FEASIBLE), settings);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("berth.scheduler.policy: " + e.getMessage(), e);
        }
    }

    private static PluginSettings.WeightedShape shape(int gpus, int milli, long weight) {
        return new PluginSettings.WeightedShape(TaskGroup.single("typical", 4000, 16384, gpus, milli, Set.of()), weight);
    }

    /**
     * The engine for a cluster of this layout. With {@code max-feasible} = auto (-1), exact scoring up to
     * {@value #AUTO_EXACT_UP_TO_SERVERS} servers; above, each replica scores the first {@value #AUTO_MAX_FEASIBLE}
     * feasible servers of the free-GPU index, tightest bucket first (Kubernetes scores a percentage of nodes on large
     * clusters for the same reason: exact scoring is linear in servers for every replica).
     */
    PlacementEngine engine(ClusterLayout layout) {
        return layout.serverCount() <= AUTO_EXACT_UP_TO_SERVERS ? exact : large;
    }

    /**
     * Could the job run on this cluster if it were empty and every server in service? Answered by a full placement
     * on an empty copy of the cluster (linear in servers: about a millisecond on 10,000 servers), so answers are
     * remembered per inventory instance and job shape: the engine runs it with a fixed seed on an empty cluster, so
     * the answer is a pure function of the two, and submissions mostly repeat a few shapes. The result returned for
     * a remembered shape carries the job id of the first job that had it; callers use only its kind and reasons.
     * Thread-safe.
     */
    @Override
    public List<PlacementResult> canEverFit(List<JobRequest> jobs) {
        Inventory inventory = cluster.inventory(); // one version read for the whole list
        Feasibility f = feasibility;
        if (f == null || f.inventory() != inventory || f.answers().size() >= FEASIBILITY_CACHE_SIZE) {
            f = new Feasibility(inventory, new ConcurrentHashMap<>());
            feasibility = f;
        }
        List<PlacementResult> out = new ArrayList<>(jobs.size());
        for (JobRequest job : jobs) {
            JobRequest shape = new JobRequest("", job.tenant(), job.priority(), job.taskGroups());
            PlacementResult answer = f.answers().get(shape);
            if (answer == null) {
                ClusterLayout layout = cluster.layout(inventory);
                answer = engine(layout).canEverFit(ClusterSnapshot.of(layout, List.of()), job);
                f.answers().put(shape, answer);
            }
            out.add(answer);
        }
        return out;
    }

    private static final int FEASIBILITY_CACHE_SIZE = 10_000;

    /** Can-ever-fit answers for one inventory instance, by job shape (the request with an empty job id). */
    private record Feasibility(Inventory inventory, Map<JobRequest, PlacementResult> answers) {
    }

    private volatile Feasibility feasibility;
}
