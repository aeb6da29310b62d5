package io.berth.core.replay;

import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.plugins.FragmentationModel;
import io.berth.core.scheduling.CycleDecision;
import io.berth.core.scheduling.CycleInput;
import io.berth.core.scheduling.Holder;
import io.berth.core.scheduling.QueuedJob;
import io.berth.core.scheduling.SchedulingCycle;
import io.berth.core.scheduling.Usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A task list run through the {@link SchedulingCycle} on simulated time. Tasks arrive at their (load-scaled) creation
 * time; a task that could never fit the cluster (even empty) is refused at arrival, as the control plane refuses it at
 * submission; the others queue. After every instant at which something arrives or leaves, one cycle runs on the
 * cluster as it is then; each placed task holds its resources for its trace duration and then leaves. When nothing
 * is left to arrive or to leave, the tasks still queued are never placed.
 *
 * <p>Allocation and fragmentation are averaged over time across the arrival window (first to last arrival), the
 * period during which load is offered; waits and completion times are over every placed task.
 */
final class Simulation {
    /** Simulated second 0; the cycle sees times as instants from here. */
    static final Instant EPOCH = Instant.EPOCH;

    private Simulation() {}

    /** What happened to one task; times in simulated seconds. */
    record Outcome(TimedTasks.Task task, long arrival, long start, long end, List<Assignment> assignments) {
        boolean placed() {
            return start >= 0;
        }
    }

    /** The cluster at one sample time: queued GPU demand and allocation in milli-GPU, fragmentation in milli-GPU. */
    record Sample(long time, int queuedJobs, long queuedGpuMilli, int runningJobs, long allocatedGpuMilli,
                  long fragmentedGpuMilli) {
    }

    record Result(List<Outcome> outcomes, List<Sample> samples, long capacityGpuMilli, double gpuAllocMeanPct,
                  double fragMeanPct, int neverPlaced, int cycles) {
    }

    private record Running(long end, int index) {
    }

    /**
     * @param samples    how many evenly spaced samples of the arrival window to keep for the CSV and the chart
     * @param progress   receives a line now and then (about every 10 % of arrivals)
     */
    static Result run(ClusterSnapshot snapshot, List<TimedTasks.Task> tasks, SchedulingCycle cycle,
                      FragmentationModel frag, double load, long seed, int samples, Consumer<String> progress) {
        int n = tasks.size();
        long[] arrival = new long[n];
        long first = Long.MAX_VALUE;
        for (TimedTasks.Task t : tasks) first = Math.min(first, t.creationSeconds());
        for (int i = 0; i < n; i++)
            arrival[i] = first + (long) Math.floor((tasks.get(i).creationSeconds() - first) / load);
        Integer[] byArrival = new Integer[n];
        for (int i = 0; i < n; i++) byArrival[i] = i;
        java.util.Arrays.sort(byArrival, Comparator.<Integer>comparingLong(i -> arrival[i]).thenComparingInt(i -> i));
        long windowStart = n == 0 ? 0 : arrival[byArrival[0]];
        long windowEnd = n == 0 ? 0 : arrival[byArrival[n - 1]];

        PlacementState state = snapshot.workingCopy();
        long capacity = snapshot.layout().totalGpuMilli();
        long cpuCapacity = 0;
        for (int s = 0; s < snapshot.layout().serverCount(); s++) cpuCapacity += snapshot.layout().cpuCapacity(s);
        Usage clusterCapacity = new Usage(capacity, cpuCapacity);
        long[] start = new long[n], end = new long[n];
        java.util.Arrays.fill(start, -1);
        java.util.Arrays.fill(end, -1);
        @SuppressWarnings("unchecked") List<Assignment>[] placedOn = new List[n];
        JobRequest[] requests = new JobRequest[n];
        for (int i = 0; i < n; i++) requests[i] = new JobRequest(Integer.toString(i), "", 0, List.of(tasks.get(i).group()));
        Map<List<TaskGroup>, Boolean> everFits = new HashMap<>();
        Map<String, QueuedJob> queue = new LinkedHashMap<>();
        Map<String, Holder> holders = new LinkedHashMap<>();
        PriorityQueue<Running> departures = new PriorityQueue<>(Comparator.comparingLong(Running::end)
                .thenComparingInt(Running::index));
        long queuedGpu = 0;
        int neverPlaced = 0, cycles = 0, next = 0, reported = 0;

        List<Sample> grid = new ArrayList<>(samples);
        double allocIntegral = 0, fragIntegral = 0;
        long last = windowStart, fragNow = 0;
        while (true) {
            long nextArrival = next < n ? arrival[byArrival[next]] : Long.MAX_VALUE;
            long nextDeparture = departures.isEmpty() ? Long.MAX_VALUE : departures.peek().end();
            long now = Math.min(nextArrival, nextDeparture);
            if (now == Long.MAX_VALUE) break;
            // the state was constant on [last, now): integrate over its part inside the window, sample the grid
            long from = Math.max(last, windowStart), to = Math.min(now, windowEnd);
            if (to > from) {
                allocIntegral += (double) state.allocatedGpuMilli() * (to - from);
                fragIntegral += (double) fragNow * (to - from);
            }
            while (grid.size() < samples && sampleTime(grid.size(), samples, windowStart, windowEnd) < now
                    && sampleTime(grid.size(), samples, windowStart, windowEnd) >= last)
                grid.add(new Sample(sampleTime(grid.size(), samples, windowStart, windowEnd), queue.size(), queuedGpu,
                        holders.size(), state.allocatedGpuMilli(), fragNow));
            last = now;

            while (!departures.isEmpty() && departures.peek().end() <= now) {
                int i = departures.poll().index();
                Holder h = holders.remove(Integer.toString(i));
                state.release(h.allocation());
            }
            while (next < n && arrival[byArrival[next]] <= now) {
                int i = byArrival[next++];
                if (!everFits.computeIfAbsent(requests[i].taskGroups(), g -> cycle.engine()
                        .canEverFit(snapshot, requests[i]) instanceof PlacementResult.Placed)) {
                    neverPlaced++;
                    continue;
                }
                queue.put(requests[i].jobId(), QueuedJob.of(requests[i], EPOCH.plusSeconds(arrival[i]), null));
                queuedGpu += tasks.get(i).group().gpuMilliPerReplica();
            }
            if (!queue.isEmpty()) {
                cycles++;
                CycleDecision d = cycle.run(new CycleInput(new ArrayList<>(queue.values()),
                        List.copyOf(holders.values()), state, Map.of(), clusterCapacity, Map.of(),
                        EPOCH.plusSeconds(now), seed * 1_000_003L + cycles));
                state = d.after(); // every placement is committed: continue from the cycle's state (and its memos)
                for (CycleDecision.Placement p : d.placements()) {
                    int i = Integer.parseInt(p.job().id());
                    queue.remove(p.job().id());
                    queuedGpu -= tasks.get(i).group().gpuMilliPerReplica();
                    long ends = now + tasks.get(i).durationSeconds();
                    start[i] = now;
                    end[i] = ends;
                    placedOn[i] = p.assignments();
                    holders.put(p.job().id(), new Holder(p.job().id(), "", 0, p.job().submittedAt(), false,
                            new Allocation(p.job().id(), 0, p.assignments()), EPOCH.plusSeconds(ends)));
                    departures.add(new Running(ends, i));
                }
            }
            fragNow = fragmentedMilli(frag, state);
            if (next * 10L / Math.max(1, n) > reported) {
                reported = (int) (next * 10L / Math.max(1, n));
                progress.accept(String.format(java.util.Locale.US,
                        "  t=%,d s: %d/%d arrived, %d running, %d queued (%.0f GPUs), GPU allocated %.1f%%",
                        now - windowStart, next, n, holders.size(), queue.size(), queuedGpu / 1000.0,
                        100.0 * state.allocatedGpuMilli() / capacity));
            }
        }
        neverPlaced += queue.size();
        while (grid.size() < samples && windowEnd > windowStart)
            grid.add(new Sample(sampleTime(grid.size(), samples, windowStart, windowEnd), queue.size(), queuedGpu,
                    holders.size(), state.allocatedGpuMilli(), fragNow));

        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            outcomes.add(new Outcome(tasks.get(i), arrival[i], start[i], end[i],
                    placedOn[i] == null ? List.of() : placedOn[i]));
        double window = Math.max(1, windowEnd - windowStart);
        return new Result(outcomes, grid, capacity, 100.0 * allocIntegral / window / capacity,
                100.0 * fragIntegral / window / capacity, neverPlaced, cycles);
    }

    /** As {@link FragmentationModel#clusterMilli}, each server's figure memoized in the state until it changes. */
    static long fragmentedMilli(FragmentationModel frag, PlacementState state) {
        long sum = 0;
        for (int s = 0; s < state.layout().serverCount(); s++)
            if (state.serverReady(s)) sum += state.memoized(frag, s, x -> frag.weighted(state, x));
        return sum / frag.totalWeight();
    }

    private static long sampleTime(int k, int samples, long from, long to) {
        return from + (long) ((double) (to - from) * k / Math.max(1, samples - 1));
    }
}
