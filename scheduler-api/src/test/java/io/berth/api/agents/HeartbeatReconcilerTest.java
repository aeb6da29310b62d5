package io.berth.api.agents;

import io.berth.api.agents.HeartbeatReconciler.Directives;
import io.berth.api.agents.HeartbeatReconciler.Report;
import io.berth.api.agents.HeartbeatReconciler.ReportsOutcome;
import io.berth.api.agents.HeartbeatReconciler.Stop;
import io.berth.api.agents.HeartbeatReconciler.Stored;
import io.berth.api.agents.HeartbeatReconciler.Transition;
import io.berth.api.jobs.WorkerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static io.berth.api.jobs.WorkerState.ASSIGNED;
import static io.berth.api.jobs.WorkerState.FAILED;
import static io.berth.api.jobs.WorkerState.LOST;
import static io.berth.api.jobs.WorkerState.RUNNING;
import static io.berth.api.jobs.WorkerState.STOPPED;
import static io.berth.api.jobs.WorkerState.STOPPING;
import static io.berth.api.jobs.WorkerState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The heartbeat reconciler's two steps, case by case: whole outcomes, with the reasons. */
class HeartbeatReconcilerTest {
    private static final UUID W = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID V = UUID.fromString("00000000-0000-0000-0000-000000000002");

    private static Report report(WorkerState state) {
        return new Report(W, state, state == RUNNING ? null : state == SUCCEEDED ? 0 : 3,
                state == FAILED ? "boom" : null);
    }

    private static ReportsOutcome outcome(List<Transition> transitions, List<Stop> stop) {
        return new ReportsOutcome(transitions, stop);
    }

    private static Transition written(Report r) {
        return new Transition(W, r.state(), r.exitCode(), r.message());
    }

    /** Step 1: one report of worker W against its stored state (null: not this server's, or unknown). */
    static Stream<Arguments> reports() {
        Report running = report(RUNNING);
        Report succeeded = report(SUCCEEDED);
        Report failed = report(FAILED);
        return Stream.of(
                // the agent started it: the one report that moves a worker on
                arguments("RUNNING on ASSIGNED starts it", running, ASSIGNED, outcome(List.of(written(running)), List.of())),
                // nothing to write: a steady heartbeat writes no worker
                arguments("RUNNING on RUNNING writes nothing", running, RUNNING, outcome(List.of(), List.of())),
                // step 2 tells the agent to stop it
                arguments("RUNNING on STOPPING writes nothing", running, STOPPING, outcome(List.of(), List.of())),
                // step 2 tells the agent to stop it (it ended here)
                arguments("RUNNING on LOST writes nothing", running, LOST, outcome(List.of(), List.of())),
                arguments("RUNNING elsewhere is stopped", running, null,
                        outcome(List.of(), List.of(new Stop(W, HeartbeatReconciler.NOT_OURS)))),
                arguments("SUCCEEDED on RUNNING ends it", succeeded, RUNNING, outcome(List.of(written(succeeded)), List.of())),
                // ended before the agent said it runs (a short worker between two heartbeats)
                arguments("SUCCEEDED on ASSIGNED ends it", succeeded, ASSIGNED, outcome(List.of(written(succeeded)), List.of())),
                // the lifecycle makes it STOPPED, not SUCCEEDED
                arguments("SUCCEEDED on STOPPING ends it", succeeded, STOPPING, outcome(List.of(written(succeeded)), List.of())),
                // reported again (a held heartbeat re-run): already written
                arguments("SUCCEEDED on SUCCEEDED writes nothing", succeeded, SUCCEEDED, outcome(List.of(), List.of())),
                arguments("SUCCEEDED on STOPPED writes nothing", succeeded, STOPPED, outcome(List.of(), List.of())),
                arguments("SUCCEEDED elsewhere is ignored", succeeded, null, outcome(List.of(), List.of())),
                arguments("FAILED on RUNNING fails it", failed, RUNNING, outcome(List.of(written(failed)), List.of())),
                arguments("FAILED on STOPPING ends it", failed, STOPPING, outcome(List.of(written(failed)), List.of())),
                arguments("FAILED on LOST writes nothing", failed, LOST, outcome(List.of(), List.of())),
                arguments("FAILED elsewhere is ignored", failed, null, outcome(List.of(), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void reports(String name, Report report, WorkerState stored, ReportsOutcome expected) {
        Map<UUID, WorkerState> ours = stored == null ? Map.of() : Map.of(W, stored);
        assertThat(HeartbeatReconciler.reports(List.of(report), ours)).isEqualTo(expected);
    }

    @Test
    void anAgentCannotReportAStateOnlyTheControlPlaneWrites() {
        assertThatThrownBy(() -> HeartbeatReconciler.reports(List.of(report(LOST)), Map.of(W, RUNNING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an agent reports RUNNING, SUCCEEDED or FAILED, not LOST");
    }

    /**
     * Step 2: worker W of this server in its state now (null: not active, i.e. ended here after being reported)
     * against whether the agent reports it running.
     */
    static Stream<Arguments> assignments() {
        return Stream.of(
                arguments("ASSIGNED, not reported: start it", ASSIGNED, false,
                        new Directives(List.of(W), List.of(), List.of())),
                // a RUNNING report moved it on in step 1; this is a re-read race only
                arguments("ASSIGNED, reported: nothing", ASSIGNED, true, new Directives(List.of(), List.of(), List.of())),
                arguments("RUNNING, reported: nothing", RUNNING, true, new Directives(List.of(), List.of(), List.of())),
                arguments("RUNNING, not reported: lost", RUNNING, false, new Directives(List.of(), List.of(),
                        List.of(new Transition(W, LOST, null, HeartbeatReconciler.NO_LONGER_RUNS)))),
                arguments("STOPPING, reported: stop it", STOPPING, true, new Directives(List.of(),
                        List.of(new Stop(W, HeartbeatReconciler.STOP_REQUESTED)), List.of())),
                arguments("STOPPING, not reported: stopped", STOPPING, false, new Directives(List.of(), List.of(),
                        List.of(new Transition(W, STOPPED, null, HeartbeatReconciler.NOT_RUNNING)))),
                // cancelled, lost and requeued, or its attempt failed: the agent must not keep it running
                arguments("ended, reported running: stop it", null, true, new Directives(List.of(),
                        List.of(new Stop(W, HeartbeatReconciler.ENDED)), List.of())),
                arguments("ended, not reported: nothing", null, false, new Directives(List.of(), List.of(), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void assignments(String name, WorkerState now, boolean reportedRunning, Directives expected) {
        List<Stored> active = now == null ? List.of() : List.of(new Stored(W, now));
        Map<UUID, Report> reports = reportedRunning ? Map.of(W, report(RUNNING)) : Map.of();
        Set<UUID> ours = reportedRunning ? Set.of(W) : Set.of();
        assertThat(HeartbeatReconciler.assignments(active, ours, reports)).isEqualTo(expected);
    }

    @Test
    void aFinishedReportIsNotStoppedAgainAndAnotherServersWorkerIsNotOurs() {
        // W ended here and the agent says so (SUCCEEDED): nothing to stop; V is another server's, reported running:
        // step 1 stops it, step 2 must not stop it a second time
        Map<UUID, Report> reports = new LinkedHashMap<>();
        reports.put(W, report(SUCCEEDED));
        reports.put(V, new Report(V, RUNNING, null, null));
        assertThat(HeartbeatReconciler.assignments(List.of(), Set.of(W), reports))
                .isEqualTo(new Directives(List.of(), List.of(), List.of()));
    }

    @Test
    void startsInTheOrderTheWorkersWereCreated() {
        List<Stored> active = List.of(new Stored(V, ASSIGNED), new Stored(W, ASSIGNED));
        assertThat(HeartbeatReconciler.assignments(active, Set.of(), Map.of()).start()).containsExactly(V, W);
    }
}
