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

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * The placement engine of the configured policy, built at start-up: an unknown policy name or bad weight stops
 * the control plane with the engine's message. Fragmentation-aware policies get their typical workload from
 * {@link LearnedWorkload} (with {@code berth.scheduler.workload.mode} ONLINE, the default): the engine is rebuilt from
 * what was learned at most every {@code refresh-seconds}, when something new was learned. Until a workload is learned
 * (or with FIXED) they use five common training shapes (a fraction of a GPU, 1, 2, 4 and 8 whole GPUs).
 */
@Component
public class Placement implements JobService.JobFeasibility {
    /** With {@code max-feasible} = auto: clusters up to this many servers are scored exactly. */
    static final int AUTO_EXACT_UP_TO_SERVERS = 1_000;
    /** With {@code max-feasible} = auto: servers scored per replica on larger clusters. */
    static final int AUTO_MAX_FEASIBLE = 100;
    /** The typical workload used while none is learned, and always with mode FIXED. */
    static final List<PluginSettings.WeightedShape> FIXED_WORKLOAD = List.of(shape(1, 500, 40), shape(1, 1000, 30),
            shape(2, 1000, 10), shape(4, 1000, 10), shape(8, 1000, 10));

    private final SchedulerProperties properties;
    private final WorkloadProperties workloadProperties;
    private final LearnedWorkload learned;
    private final ClusterView cluster;
    private final Clock clock;

    /** Both engines and what they were built from; replaced whole. */
    private record Engines(PlacementEngine exact, PlacementEngine large, List<PluginSettings.WeightedShape> workload,
                           long learnedVersion, long builtAtMillis) {
    }

    private volatile Engines engines;

    Placement(SchedulerProperties properties, WorkloadProperties workloadProperties, LearnedWorkload learned,
              ClusterView cluster) {
        this.properties = properties;
        this.workloadProperties = workloadProperties;
        this.learned = learned;
        this.cluster = cluster;
        this.clock = Clock.systemUTC();
        try {
            engines = build(FIXED_WORKLOAD, -1);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("berth.scheduler.policy: " + e.getMessage(), e);
        }
        refresh();
    }

    private Engines build(List<PluginSettings.WeightedShape> workload, long version) {
        PluginSettings settings = new PluginSettings(workload);
        var registry = BuiltinPlugins.registry();
        var profile = Profiles.named(properties.policy());
        if (properties.maxFeasible() >= 0) {
            PlacementEngine e = registry.engine(profile.withMaxFeasible(properties.maxFeasible()), settings);
            return new Engines(e, e, workload, version, clock.millis());
        }
        return new Engines(registry.engine(profile.withMaxFeasible(0), settings),
                registry.engine(profile.withMaxFeasible(AUTO_MAX_FEASIBLE), settings), workload, version, clock.millis());
    }

    /**
     * Rebuilds the engines from the learned workload when it changed and the last build is at least refresh-seconds
     * old. A learned workload the policy cannot use yet (say only CPU-only jobs so far, and a policy that needs GPU
     * shapes) keeps the engines as they are.
     */
    private void refresh() {
        if (workloadProperties.mode() != WorkloadProperties.Mode.ONLINE) return;
        Engines current = engines;
        long version = learned.version();
        if (version == current.learnedVersion()) return;
        if (current.learnedVersion() >= 0 && clock.millis() - current.builtAtMillis() < workloadProperties.refreshSeconds() * 1000L)
            return;
        List<PluginSettings.WeightedShape> typical = learned.typical();
        if (typical.isEmpty()) return;
        try {
            engines = build(typical, version);
        } catch (IllegalArgumentException notUsableYet) {
            engines = new Engines(current.exact(), current.large(), current.workload(), version, clock.millis());
        }
    }

    /** The typical workload the current engines were built with (the fixed shapes until one is learned). */
    public List<PluginSettings.WeightedShape> typicalWorkload() {
        refresh();
        return engines.workload();
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
        refresh();
        Engines e = engines;
        return layout.serverCount() <= AUTO_EXACT_UP_TO_SERVERS ? e.exact() : e.large();
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
