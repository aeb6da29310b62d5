package io.berth.core.power;

import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementState;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.plugins.Profiles;
import io.berth.core.scheduling.QueuedJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static io.berth.core.placement.Fixtures.inventory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Power decisions on small clusters of 8-GPU servers. Server lines are {@code name rack POWER [idle=S] [changed=S]}:
 * idle (or changed) S seconds before now (T0 + 3600 s); a server without idle= is busy (all 8 GPUs held). Jobs are
 * {@code id:GPUS} or {@code id:REPLICASxGPUS} (a gang). Defaults: suspend after 300 s, keep 0 idle on, 10 suspends
 * and 10 resumes a minute, resume timeout 600 s, expected resume 120 s.
 */
class PowerPolicyTest {
    private static final PlacementEngine BESTFIT = Profiles.engine("bestfit", PluginSettings.none());
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOW = T0.plusSeconds(3600);
    private static final PowerSaving ON = new PowerSaving(true, Duration.ofSeconds(300), 0, 10, 10, Set.of(), Set.of(),
            Duration.ofSeconds(600), Duration.ofSeconds(120));

    private static final String IDLE = "a r1 ON idle=400\nb r1 ON idle=900\nc r2 ON idle=100\nd r2 ON";

    static Stream<Arguments> decisions() {
        return Stream.of(
                // a idle since 00:53:20, b since 00:45:00 (longest first); c only 100 s < 300 s; d busy
                arguments("idle servers past suspendAfter, longest idle first", id(), IDLE, "", Set.of(), 0, 0, """
                        suspend b: suspended: idle since 2026-01-01T00:45:00Z
                        suspend a: suspended: idle since 2026-01-01T00:53:20Z"""),
                // 3 idle on (a, b, c) - keep 2 = 1 suspend
                arguments("keepIdleOn counts every idle server", with(s -> new PowerSaving(true, s.suspendAfter(), 2,
                        10, 10, Set.of(), Set.of(), s.resumeTimeout(), s.expectedResume())), IDLE, "", Set.of(), 0, 0,
                        "suspend b: suspended: idle since 2026-01-01T00:45:00Z"),
                arguments("excluded server and rack", with(s -> new PowerSaving(true, s.suspendAfter(), 0, 10, 10,
                                Set.of("b"), Set.of("r2"), s.resumeTimeout(), s.expectedResume())),
                        "a r2 ON idle=400\nb r1 ON idle=900\ne r1 ON idle=500", "", Set.of(), 0, 0,
                        "suspend e: suspended: idle since 2026-01-01T00:51:40Z"),
                arguments("servers reserved by the cycle stay on", id(), IDLE, "", Set.of("b"), 0, 0,
                        "suspend a: suspended: idle since 2026-01-01T00:53:20Z"),
                // 2 a minute, 1 already sent
                arguments("suspend rate", with(s -> new PowerSaving(true, s.suspendAfter(), 0, 2, 10, Set.of(), Set.of(),
                        s.resumeTimeout(), s.expectedResume())), IDLE, "", Set.of(), 1, 0,
                        "suspend b: suspended: idle since 2026-01-01T00:45:00Z"),
                arguments("disabled decides nothing", with(s -> PowerSaving.off()), IDLE + "\ne r1 OFF", "j1:8",
                        Set.of(), 0, 0, ""),
                // ready at now + 120 s = 01:02:00
                arguments("an off server is resumed for a waiting job", id(), "a r1 ON\nb r1 OFF", "j1:8", Set.of(), 0, 0,
                        """
                        resume b: resuming for job j1
                        wait j1: waiting for server b to resume (expected ready at 2026-01-01T01:02:00Z)"""),
                // c resumed 30 s ago: ready at 00:59:30 + 120 s = 01:01:30; b stays off
                arguments("a resuming server is used before an off one", id(), "a r1 ON\nb r1 OFF\nc r1 RESUMING changed=30",
                        "j1:8", Set.of(), 0, 0,
                        "wait j1: waiting for server c to resume (expected ready at 2026-01-01T01:01:30Z)"),
                // b and c tie; the seed picks c for j1
                arguments("each job reserves its servers in the plan", id(), "a r1 ON\nb r1 OFF\nc r1 OFF", "j1:8\nj2:8",
                        Set.of(), 0, 0, """
                        resume c: resuming for job j1
                        resume b: resuming for job j2
                        wait j1: waiting for server c to resume (expected ready at 2026-01-01T01:02:00Z)
                        wait j2: waiting for server b to resume (expected ready at 2026-01-01T01:02:00Z)"""),
                // 2 a minute, 1 already sent: j2's server waits for the next minute (and is not given to j3)
                arguments("resume rate", with(s -> new PowerSaving(true, s.suspendAfter(), 0, 10, 2, Set.of(), Set.of(),
                                s.resumeTimeout(), s.expectedResume())), "a r1 ON\nb r1 OFF\nc r1 OFF", "j1:8\nj2:8\nj3:8",
                        Set.of(), 0, 1, """
                        resume c: resuming for job j1
                        wait j1: waiting for server c to resume (expected ready at 2026-01-01T01:02:00Z)
                        wait j2: needs powered-off server b; resume rate limit reached"""),
                // c resumed 700 s ago > timeout 600 s: failed, and left out of the plan
                arguments("a resume past its timeout failed", id(), "a r1 ON\nb r1 OFF\nc r1 RESUMING changed=700", "j1:8",
                        Set.of(), 0, 0, """
                        resume b: resuming for job j1
                        failed c: did not come back within PT10M of the resume sent at 2026-01-01T00:48:20Z
                        wait j1: waiting for server b to resume (expected ready at 2026-01-01T01:02:00Z)"""),
                arguments("a job that fits nowhere wakes nothing", id(), "a r1 ON\nb r1 OFF", "j1:16\nj2:16", Set.of(), 0, 0,
                        ""),
                // the gang needs a (idle for 900 s) and b: a is not suspended, b is resumed
                arguments("an idle server the plan needs stays on", id(), "a r1 ON idle=900\nb r1 OFF", "j1:2x8", Set.of(),
                        0, 0, """
                        resume b: resuming for job j1
                        wait j1: waiting for server b to resume (expected ready at 2026-01-01T01:02:00Z)"""),
                // j1 needs 2 servers and e is on: one more is woken, not two; j2 then needs the other two
                arguments("a gang wakes only the servers it needs", id(), "a r1 OFF\nb r1 OFF\nc r1 OFF\ne r1 ON idle=10",
                        "j1:2x8\nj2:2x8", Set.of(), 0, 0, """
                        resume c: resuming for job j1
                        resume a: resuming for job j2
                        resume b: resuming for job j2
                        wait j1: waiting for server c to resume (expected ready at 2026-01-01T01:02:00Z)
                        wait j2: waiting for servers a, b to resume (expected ready at 2026-01-01T01:02:00Z)"""),
                // j1 waits for another reason (say a quota) but would fit on a: nothing is woken, a stays on
                arguments("a job that fits on servers that are on wakes nothing", id(), "a r1 ON idle=900\nb r1 OFF", "j1:8",
                        Set.of(), 0, 0, ""),
                arguments("suspending servers are neither planned nor resumed", id(), "a r1 ON\nb r1 SUSPENDING", "j1:8",
                        Set.of(), 0, 0, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decides(String name, UnaryOperator<PowerSaving> settings, String servers, String jobs, Set<String> reserved,
                 int suspendsLastMinute, int resumesLastMinute, String expected) {
        PowerPolicy policy = new PowerPolicy(BESTFIT, settings.apply(ON));
        assertThat(describe(policy.decide(input(servers, jobs, reserved, suspendsLastMinute, resumesLastMinute))))
                .isEqualTo(expected);
    }

    @Test
    void decidesTheSameForTheSameInput() {
        PowerPolicy policy = new PowerPolicy(BESTFIT, ON);
        String servers = "a r1 ON\nb r1 OFF\nc r2 OFF\nd r2 OFF\ne r1 ON idle=900";
        assertThat(policy.decide(input(servers, "j1:4\nj2:8\nj3:2x8", Set.of(), 0, 0)))
                .isEqualTo(policy.decide(input(servers, "j1:4\nj2:8\nj3:2x8", Set.of(), 0, 0)));
    }

    @Test
    void leavesTheCyclesStateAlone() {
        PowerInput in = input("a r1 ON\nb r1 OFF", "j1:8", Set.of(), 0, 0);
        long free = in.after().gpuFreeMilli(1);
        new PowerPolicy(BESTFIT, ON).decide(in);
        assertThat(in.after().gpuFreeMilli(1)).isEqualTo(free);
        assertThat(in.after().serverReady(1)).isFalse();
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                arguments("suspendAfter must be > 0, was PT0S", (Runnable) () -> new PowerSaving(true, Duration.ZERO, 0,
                        1, 1, Set.of(), Set.of(), Duration.ofSeconds(1), Duration.ZERO)),
                arguments("keepIdleOn must be >= 0, was -1", (Runnable) () -> new PowerSaving(true, Duration.ofSeconds(1),
                        -1, 1, 1, Set.of(), Set.of(), Duration.ofSeconds(1), Duration.ZERO)),
                arguments("maxSuspendPerMinute must be > 0, was 0", (Runnable) () -> new PowerSaving(true,
                        Duration.ofSeconds(1), 0, 0, 1, Set.of(), Set.of(), Duration.ofSeconds(1), Duration.ZERO)),
                arguments("maxResumePerMinute must be > 0, was 0", (Runnable) () -> new PowerSaving(true,
                        Duration.ofSeconds(1), 0, 1, 0, Set.of(), Set.of(), Duration.ofSeconds(1), Duration.ZERO)),
                arguments("resumeTimeout must be > 0, was PT-1S", (Runnable) () -> new PowerSaving(true,
                        Duration.ofSeconds(1), 0, 1, 1, Set.of(), Set.of(), Duration.ofSeconds(-1), Duration.ZERO)),
                arguments("expectedResume must be >= 0, was PT-1S", (Runnable) () -> new PowerSaving(true,
                        Duration.ofSeconds(1), 0, 1, 1, Set.of(), Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(-1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void settingsNameTheFieldOutOfRange(String message, Runnable build) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void withReadyCopiesAndLeavesTheOriginal() {
        PlacementState s = ClusterSnapshot.of(inventory(aServer("a").gpus(8, "H100").build(),
                aServer("b").gpus(8, "H100").state(ServerState.NOT_READY).build())).workingCopy();
        PlacementState woken = s.withReady(Set.of(1));
        assertThat(woken.serverReady(1)).isTrue();
        assertThat(s.serverReady(1)).isFalse();
        assertThat(BESTFIT.place(woken, aGroup("g").gpus(8).job("x"), 0L)).isInstanceOf(
                io.berth.core.placement.PlacementResult.Placed.class);
        assertThat(s.gpuFreeMilli(1)).isEqualTo(8000);
        // a shape refused in the original (only a is ready and it is full) is not refused in the copy
        BESTFIT.place(s, aGroup("g").gpus(8).job("fill"), 0L);
        assertThat(BESTFIT.place(s, aGroup("g").gpus(8).job("y"), 0L))
                .isInstanceOf(io.berth.core.placement.PlacementResult.Unschedulable.class);
        assertThat(BESTFIT.place(s.withReady(Set.of(1)), aGroup("g").gpus(8).job("y"), 0L))
                .isInstanceOf(io.berth.core.placement.PlacementResult.Placed.class);
        assertThatThrownBy(() -> s.withReady(Set.of(2))).isInstanceOf(IllegalArgumentException.class);
    }

    private static UnaryOperator<PowerSaving> id() {
        return s -> s;
    }

    private static UnaryOperator<PowerSaving> with(UnaryOperator<PowerSaving> f) {
        return f;
    }

    /** Servers not ON are not ready in the cycle's state; busy servers have all their GPUs held. */
    static PowerInput input(String servers, String jobs, Set<String> reserved, int suspends, int resumes) {
        List<Server> inventory = new ArrayList<>();
        List<PowerServer> power = new ArrayList<>();
        List<Allocation> held = new ArrayList<>();
        for (String line : servers.split("\n")) {
            String[] f = line.trim().split("\\s+");
            PowerState p = PowerState.valueOf(f[2]);
            Instant idle = null, changed = null;
            for (int i = 3; i < f.length; i++) {
                Instant at = NOW.minusSeconds(Long.parseLong(f[i].substring(f[i].indexOf('=') + 1)));
                if (f[i].startsWith("idle=")) idle = at;
                else changed = at;
            }
            inventory.add(aServer(f[0]).rack(f[1]).gpus(8, "H100")
                    .state(p == PowerState.ON ? ServerState.READY : ServerState.NOT_READY).build());
            if (p == PowerState.ON && idle == null)
                held.add(new Allocation("busy-" + f[0], 0, List.of(new Assignment("g", 0, f[0],
                        List.of(0, 1, 2, 3, 4, 5, 6, 7), 1000, 1000, 1024, 0, 0, 0))));
            power.add(new PowerServer(f[0], f[1], p, idle, changed));
        }
        List<QueuedJob> waiting = new ArrayList<>();
        for (String line : jobs.lines().filter(x -> !x.isBlank()).toList()) {
            String[] f = line.trim().split(":");
            String[] shape = f[1].split("x");
            int replicas = shape.length == 2 ? Integer.parseInt(shape[0]) : 1;
            int gpus = Integer.parseInt(shape[shape.length - 1]);
            waiting.add(QueuedJob.of(aGroup("g").replicas(replicas).gang(replicas > 1 ? replicas : 0).gpus(gpus).job(f[0]),
                    T0, null));
        }
        PlacementState after = ClusterSnapshot.of(inventory(inventory.toArray(Server[]::new)), held).workingCopy();
        return new PowerInput(power, after, waiting, reserved, NOW, suspends, resumes, 7L);
    }

    static String describe(PowerDecision d) {
        List<String> lines = new ArrayList<>();
        d.suspend().forEach(a -> lines.add("suspend " + a.server() + ": " + a.reason()));
        d.resume().forEach(a -> lines.add("resume " + a.server() + ": " + a.reason()));
        d.resumeFailed().forEach(a -> lines.add("failed " + a.server() + ": " + a.reason()));
        d.waitingForResume().forEach((job, why) -> lines.add("wait " + job + ": " + why));
        return lines.stream().collect(Collectors.joining("\n"));
    }
}
