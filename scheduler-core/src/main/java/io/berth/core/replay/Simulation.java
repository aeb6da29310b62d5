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
import io.berth.core.placement.ClusterLayout;
import io.berth.core.power.PowerAction;
import io.berth.core.power.PowerDecision;
import io.berth.core.power.PowerInput;
import io.berth.core.power.PowerPolicy;
import io.berth.core.power.PowerServer;
import io.berth.core.power.PowerState;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
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

    /**
     * The cluster at one sample time: queued GPU demand and allocation in milli-GPU, fragmentation in milli-GPU, IT
     * power in watts ({@link ServerPowerModel}) and the servers suspended or resuming.
     */
    record Sample(long time, int queuedJobs, long queuedGpuMilli, int runningJobs, long allocatedGpuMilli,
                  long fragmentedGpuMilli, long itWatts, int serversOff) {
    }

    /**
     * @param energyWindowKwh IT energy over the arrival window (the same span for every policy of one list and load)
     * @param energyTotalKwh  IT energy from the first arrival until the last task left
     * @param endTime         when the last task left (simulated seconds)
     */
    record Result(List<Outcome> outcomes, List<Sample> samples, long capacityGpuMilli, double gpuAllocMeanPct,
                  double fragMeanPct, int neverPlaced, int cycles, double energyWindowKwh, double energyTotalKwh,
                  long windowStart, long endTime, int suspends, int resumes) {
    }

    private record Running(long end, int index) {
    }

    /**
     * When the power policy may have something left to do that its per-minute limits or the queue held back, it looks
     * again this many simulated seconds later (as the control plane's loop does) even when nothing else happens.
     */
    static final long POWER_RETRY_SECONDS = 60;

    /**
     * Power saving for a run: the policy the control plane runs after each cycle, and how long a resume takes here.
     * Suspends take effect at once (a suspended server draws {@link ServerPowerModel#STANDBY_WATTS}).
     */
    record PowerSetup(PowerPolicy policy, long resumeSeconds) {
    }

    static Result run(ClusterSnapshot snapshot, List<TimedTasks.Task> tasks, SchedulingCycle cycle,
                      FragmentationModel frag, double load, long seed, int samples, Consumer<String> progress) {
        return run(snapshot, tasks, cycle, frag, load, seed, samples, null, progress);
    }

    /**
     * @param samples    how many evenly spaced samples of the arrival window to keep for the CSV and the chart
     * @param power      power saving; null = every server stays on
     * @param progress   receives a line now and then (about every 10 % of arrivals)
     */
    static Result run(ClusterSnapshot snapshot, List<TimedTasks.Task> tasks, SchedulingCycle cycle,
                      FragmentationModel frag, double load, long seed, int samples, PowerSetup power,
                      Consumer<String> progress) {
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

        ClusterLayout layout = snapshot.layout();
        int servers = layout.serverCount();
        PlacementState state = snapshot.workingCopy();
        long capacity = layout.totalGpuMilli();
        long cpuCapacity = 0;
        for (int s = 0; s < servers; s++) cpuCapacity += layout.cpuCapacity(s);
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

        // power: each server's draw (kept current for the servers that change), its power state and idle time
        ServerPowerModel model = new ServerPowerModel(layout);
        double[] watts = new double[servers];
        double clusterWatts = 0;
        for (int s = 0; s < servers; s++) clusterWatts += watts[s] = model.watts(state, s);
        PowerState[] powerState = new PowerState[servers];
        java.util.Arrays.fill(powerState, PowerState.ON);
        long[] idleSince = new long[servers], changedAt = new long[servers];
        java.util.Arrays.fill(idleSince, windowStart);
        java.util.Arrays.fill(changedAt, windowStart);
        PriorityQueue<long[]> resumesDone = new PriorityQueue<>(Comparator.comparingLong((long[] x) -> x[0])
                .thenComparingLong(x -> x[1]));
        java.util.ArrayDeque<Long> suspendTimes = new java.util.ArrayDeque<>(), resumeTimes = new java.util.ArrayDeque<>();
        BitSet changed = new BitSet(servers);
        int suspends = 0, resumes = 0, off = 0;
        double energyWindowJ = 0, energyTotalJ = 0;
        List<QueuedJob> waitingForRoom = List.of(); // as the last cycle left them
        Set<String> reserved = Set.of();
        long nextPowerLook = power == null ? Long.MAX_VALUE : windowStart + power.policy().settings().suspendAfter().toSeconds();

        List<Sample> grid = new ArrayList<>(samples);
        double allocIntegral = 0, fragIntegral = 0;
        long last = windowStart, fragNow = 0, lastDeparture = windowStart;
        while (true) {
            long nextArrival = next < n ? arrival[byArrival[next]] : Long.MAX_VALUE;
            long nextDeparture = departures.isEmpty() ? Long.MAX_VALUE : departures.peek().end();
            long nextResume = resumesDone.isEmpty() ? Long.MAX_VALUE : resumesDone.peek()[0];
            long now = Math.min(nextArrival, Math.min(nextDeparture, nextResume));
            if (now == Long.MAX_VALUE) break;
            // between events the power policy still looks at idle servers now and then
            if (nextPowerLook > last && nextPowerLook < now) now = nextPowerLook;
            // the state was constant on [last, now): integrate over its part inside the window, sample the grid
            long from = Math.max(last, windowStart), to = Math.min(now, windowEnd);
            if (to > from) {
                allocIntegral += (double) state.allocatedGpuMilli() * (to - from);
                fragIntegral += (double) fragNow * (to - from);
                energyWindowJ += clusterWatts * (to - from);
            }
            energyTotalJ += clusterWatts * (now - last);
            while (grid.size() < samples && sampleTime(grid.size(), samples, windowStart, windowEnd) < now
                    && sampleTime(grid.size(), samples, windowStart, windowEnd) >= last)
                grid.add(new Sample(sampleTime(grid.size(), samples, windowStart, windowEnd), queue.size(), queuedGpu,
                        holders.size(), state.allocatedGpuMilli(), fragNow, Math.round(clusterWatts), off));
            last = now;

            Set<Integer> resumed = new HashSet<>();
            while (!resumesDone.isEmpty() && resumesDone.peek()[0] <= now) {
                int s = (int) resumesDone.poll()[1];
                powerState[s] = PowerState.ON;
                changedAt[s] = idleSince[s] = now;
                off--;
                changed.set(s);
                resumed.add(s);
            }
            if (!resumed.isEmpty()) state = state.withReady(resumed);
            while (!departures.isEmpty() && departures.peek().end() <= now) {
                int i = departures.poll().index();
                Holder h = holders.remove(Integer.toString(i));
                state.release(h.allocation());
                markServers(layout, h.allocation().assignments(), changed);
                lastDeparture = now;
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
            CycleDecision d = null;
            if (!queue.isEmpty() && (now == nextArrival || now == nextDeparture || now == nextResume)) {
                cycles++;
                d = cycle.run(new CycleInput(new ArrayList<>(queue.values()),
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
                    markServers(layout, p.assignments(), changed);
                }
            }
            for (int s = changed.nextSetBit(0); s >= 0; s = changed.nextSetBit(s + 1))
                if (powerState[s] == PowerState.ON) idleSince[s] = !state.idle(s) ? -1 : idleSince[s] >= 0 ? idleSince[s] : now;
            if (d != null) { // jobs leave the queue only in a cycle: without one, the last cycle's lists stand
                waitingForRoom = unschedulable(d, queue);
                reserved = reservedServers(d);
            }
            if (power != null) {
                while (!suspendTimes.isEmpty() && suspendTimes.peek() <= now - 60) suspendTimes.poll();
                while (!resumeTimes.isEmpty() && resumeTimes.peek() <= now - 60) resumeTimes.poll();
                PowerDecision pd = power.policy().decide(new PowerInput(powerServers(layout, powerState, idleSince,
                        changedAt), state, waitingForRoom, reserved, EPOCH.plusSeconds(now),
                        suspendTimes.size(), resumeTimes.size(), seed + now));
                Set<Integer> suspended = new HashSet<>();
                for (PowerAction a : pd.suspend()) {
                    int s = layout.serverIndex(a.server());
                    suspended.add(s);
                    powerState[s] = PowerState.OFF;
                    changedAt[s] = now;
                    idleSince[s] = -1;
                    suspendTimes.add(now);
                    suspends++;
                    off++;
                    changed.set(s);
                }
                for (PowerAction a : pd.resume()) {
                    int s = layout.serverIndex(a.server());
                    powerState[s] = PowerState.RESUMING;
                    changedAt[s] = now;
                    resumesDone.add(new long[]{now + power.resumeSeconds(), s});
                    resumeTimes.add(now);
                    resumes++;
                    changed.set(s);
                }
                if (!suspended.isEmpty()) state = state.withNotReady(suspended);
                nextPowerLook = nextPowerLook(power, now, powerState, idleSince, state, !waitingForRoom.isEmpty());
            }
            for (int s = changed.nextSetBit(0); s >= 0; s = changed.nextSetBit(s + 1)) {
                double w = switch (powerState[s]) {
                    case ON -> model.watts(state, s);
                    case RESUMING, SUSPENDING -> model.idleWatts(s);
                    case OFF -> ServerPowerModel.STANDBY_WATTS;
                };
                clusterWatts += w - watts[s];
                watts[s] = w;
            }
            changed.clear();
            fragNow = fragmentedMilli(frag, state);
            if (next * 10L / Math.max(1, n) > reported) {
                reported = (int) (next * 10L / Math.max(1, n));
                progress.accept(String.format(java.util.Locale.US,
                        "  t=%,d s: %d/%d arrived, %d running, %d queued (%.0f GPUs), GPU allocated %.1f%%%s",
                        now - windowStart, next, n, holders.size(), queue.size(), queuedGpu / 1000.0,
                        100.0 * state.allocatedGpuMilli() / capacity,
                        power == null ? "" : String.format(java.util.Locale.US, ", %d servers off, %.0f kW", off,
                                clusterWatts / 1000)));
            }
            if (next >= n && departures.isEmpty() && resumesDone.isEmpty()) break;
        }
        neverPlaced += queue.size();
        while (grid.size() < samples && windowEnd > windowStart)
            grid.add(new Sample(sampleTime(grid.size(), samples, windowStart, windowEnd), queue.size(), queuedGpu,
                    holders.size(), state.allocatedGpuMilli(), fragNow, Math.round(clusterWatts), off));

        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            outcomes.add(new Outcome(tasks.get(i), arrival[i], start[i], end[i],
                    placedOn[i] == null ? List.of() : placedOn[i]));
        double window = Math.max(1, windowEnd - windowStart);
        return new Result(outcomes, grid, capacity, 100.0 * allocIntegral / window / capacity,
                100.0 * fragIntegral / window / capacity, neverPlaced, cycles, energyWindowJ / 3.6e6,
                energyTotalJ / 3.6e6, windowStart, Math.max(lastDeparture, windowEnd), suspends, resumes);
    }

    /**
     * The next time the power policy could decide something without an arrival, a departure or a resume: when the
     * next idle server reaches the suspend time, or a minute from now while an idle server is already past it (held
     * on by the per-minute limit, the idle servers kept on or a reservation) or jobs wait that powered-off servers
     * might take.
     */
    private static long nextPowerLook(PowerSetup power, long now, PowerState[] powerState, long[] idleSince,
                                      PlacementState state, boolean jobsWaiting) {
        long after = power.policy().settings().suspendAfter().toSeconds(), next = Long.MAX_VALUE;
        boolean anyOff = false;
        for (int s = 0; s < powerState.length; s++) {
            if (powerState[s] == PowerState.OFF) anyOff = true;
            if (powerState[s] != PowerState.ON || idleSince[s] < 0 || !state.idle(s)) continue;
            next = Math.min(next, Math.max(idleSince[s] + after, now + POWER_RETRY_SECONDS));
        }
        if (jobsWaiting && anyOff) next = Math.min(next, now + POWER_RETRY_SECONDS);
        return next;
    }

    private static void markServers(ClusterLayout layout, List<Assignment> assignments, BitSet changed) {
        for (Assignment a : assignments) changed.set(layout.serverIndex(a.server()));
    }

    private static List<PowerServer> powerServers(ClusterLayout layout, PowerState[] power, long[] idleSince,
                                                  long[] changedAt) {
        List<PowerServer> out = new ArrayList<>(power.length);
        for (int s = 0; s < power.length; s++)
            out.add(new PowerServer(layout.serverName(s), "", power[s],
                    idleSince[s] < 0 ? null : EPOCH.plusSeconds(idleSince[s]), EPOCH.plusSeconds(changedAt[s])));
        return out;
    }

    /** The queued jobs the cycle could not place for lack of room, in queue order. */
    private static List<QueuedJob> unschedulable(CycleDecision d, Map<String, QueuedJob> queue) {
        List<QueuedJob> out = new ArrayList<>();
        d.waiting().forEach((id, w) -> {
            if (w.kind() == CycleDecision.WaitKind.UNSCHEDULABLE) out.add(queue.get(id));
        });
        return out;
    }

    private static Set<String> reservedServers(CycleDecision d) {
        Set<String> out = new HashSet<>();
        for (CycleDecision.Reservation r : d.reservations()) out.addAll(r.servers());
        return out;
    }

    /** As {@link FragmentationModel#clusterMilli}, each server's figure memoized in the state until it changes. */
    static long fragmentedMilli(FragmentationModel frag, PlacementState state) {
        long sum = 0;
        for (int s = 0; s < state.layout().serverCount(); s++)
            if (state.serverReady(s)) sum += state.memoized(frag.memoKey(), s, x -> frag.weighted(state, x));
        return sum / frag.totalWeight();
    }

    private static long sampleTime(int k, int samples, long from, long to) {
        return from + (long) ((double) (to - from) * k / Math.max(1, samples - 1));
    }
}
