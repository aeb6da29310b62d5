package io.berth.core.placement.bench;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.Profiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One placement on a 10,000-server, 8-GPU cluster that is being filled with the mixed job shapes of
 * {@link ThroughputWorkload}; when every shape has failed (cluster full) the working copy starts again empty.
 * Score = placement attempts per second on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class PlacementJmhBenchmark {
    @Param({"bestfit", "berth"})
    public String policy;

    @Param({"10000"})
    public int servers;

    private ClusterSnapshot snapshot;
    private PlacementEngine engine;
    private PlacementState state;
    private SplittableRandom jobs, ties;
    private List<io.berth.core.placement.PluginSettings.WeightedShape> mix;
    private long id;

    @Setup(Level.Trial)
    public void setUp() {
        snapshot = ClusterSnapshot.of(ThroughputWorkload.cluster("uniform", servers, 8));
        engine = BuiltinPlugins.registry().engine(Profiles.named(policy).withMaxFeasible(32), ThroughputWorkload.settings(ThroughputWorkload.MIX));
        jobs = new SplittableRandom(1);
        ties = new SplittableRandom(2);
        reset();
    }

    private void reset() {
        state = snapshot.workingCopy();
        mix = new ArrayList<>(ThroughputWorkload.MIX);
    }

    @Benchmark
    public PlacementResult place() {
        if (mix.isEmpty()) reset();
        JobRequest job = ThroughputWorkload.next(mix, jobs, id++);
        PlacementResult r = engine.place(state, job, ties);
        if (r instanceof PlacementResult.Unschedulable) mix.removeIf(w -> w.shape() == job.taskGroups().get(0));
        return r;
    }
}
