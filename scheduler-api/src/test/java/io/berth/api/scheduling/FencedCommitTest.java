package io.berth.api.scheduling;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobQueue;
import io.berth.api.jobs.JobRow;
import io.berth.api.leader.LeaderFence;
import io.berth.api.leader.Leadership;
import io.berth.core.placement.Assignment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The placement commit path against the real database, fenced by the leader epoch: only a leader under the current
 * epoch writes anything; a deposed one leaves the job QUEUED, no workers and the usage counters untouched.
 *
 * <p>The context's own scheduling loop keeps running, but the test server has no agent, so it never places there
 * (berth.scheduler.require-agent defaults to true); these tests commit with their own {@link PlacementCommitter}.
 */
class FencedCommitTest extends ApiTestBase {
    @Autowired
    org.springframework.context.ApplicationEventPublisher events;
    @Autowired
    JobQueue jobs;
    @Autowired
    JdbcClient jdbcClient;
    @Autowired
    SchedulerProperties properties;
    @Autowired
    LeaderFence fence;
    @Autowired
    Leadership contextLeadership;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    ClusterView cluster;
    @Autowired
    Placement placement;
    @Autowired
    JobLifecycle lifecycle;
    @Autowired
    Quotas quotas;

    private long epochBefore;

    @BeforeEach
    void rememberEpoch() {
        epochBefore = fence.current();
    }

    @AfterEach
    void restoreEpoch() {
        // a test that took a newer epoch hands the fence back to this context's own (local) leadership
        jdbcClient.sql("UPDATE leader_fence SET epoch = ?").param(contextLeadership.epoch()).update();
    }

    /** A leadership whose answers the test fixes. */
    record FixedLeadership(boolean isLeader, long epoch) implements Leadership {
        @Override
        public void deposed(long newerEpoch) {
        }
    }

    /** Everything a commit may change, read back from the database. */
    record Outcome(String jobState, long workers, List<Long> workerEpochs, long cpuMillisUsed, long gpuMilliUsed,
                   long scheduledEvents) {
    }

    private UUID queuedJob(String name) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"priority\":5,"
                + "\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":2000,\"memoryMib\":1024,\"gpus\":2}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return UUID.fromString(JsonPath.read(r.body(), "$.id"));
    }

    private void serverWithoutAgent() {
        Response r = postJson("/api/v1/servers", "{\"name\":\"s1\",\"cpuMillis\":64000,\"memoryMib\":262144,"
                + "\"accelerators\":[{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920},"
                + "{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static List<Assignment> onS1() {
        return List.of(new Assignment("g", 0, "s1", List.of(0, 1), 1000, 2000, 1024, 0, 0, 0));
    }

    private void commit(Leadership leadership, UUID jobId) {
        JobRow job = jobs.find(jobId).orElseThrow();
        PlacementCommitter committer = new PlacementCommitter(jobs, jdbcClient, properties, fence, leadership, events, lifecycle);
        tx.executeWithoutResult(status -> committer.commit(job, onS1()));
    }

    private Outcome outcome(UUID jobId) {
        return new Outcome(
                jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, jobId),
                count("workers"),
                jdbc.queryForList("SELECT leader_epoch FROM workers ORDER BY rank", Long.class),
                jdbc.queryForObject("SELECT cpu_millis_used FROM server_usage u JOIN servers s ON s.id = u.server_id WHERE s.name = 's1'", Long.class),
                jdbc.queryForObject("SELECT sum(used_milli) FROM accelerator_usage", Long.class),
                jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ? AND to_state = 'SCHEDULED'",
                        Long.class, jobId));
    }

    private static final Outcome NOTHING_WRITTEN = new Outcome("QUEUED", 0, List.of(), 0, 0, 0);

    static Stream<Arguments> leaderships() {
        return Stream.of(
                // the control case: proves the fixture can commit at all
                arguments("leader under the current epoch commits, workers stamped with it", true, 0, true),
                arguments("leader under an older epoch (another took over) writes nothing", true, -1, false),
                arguments("lost the lease, epoch still current: writes nothing", false, 0, false),
                arguments("lost the lease and stale: writes nothing", false, -1, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaderships")
    void onlyTheCurrentLeaderCommits(String name, boolean leader, long epochOffset, boolean commits) {
        serverWithoutAgent();
        UUID job = queuedJob("fenced");
        long epoch = fence.current() + epochOffset;

        if (commits) {
            commit(new FixedLeadership(leader, epoch), job);
            // 2 GPUs x 1000 milli-GPU; 2000 millicores
            assertThat(outcome(job)).isEqualTo(new Outcome("SCHEDULED", 1, List.of(epoch), 2000, 2000, 1));
        } else {
            assertThatThrownBy(() -> commit(new FixedLeadership(leader, epoch), job))
                    .isInstanceOf(LeaderFence.NotLeader.class);
            assertThat(outcome(job)).isEqualTo(NOTHING_WRITTEN);
        }
    }

    /** The loop's preemptions pass the same fence: a deposed leader stops nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("leaderships")
    void onlyTheCurrentLeaderPreempts(String name, boolean leader, long epochOffset, boolean preempts) {
        serverWithoutAgent();
        UUID job = queuedJob("victim");
        commit(contextLeadership, job);
        Leadership leadership = new FixedLeadership(leader, fence.current() + epochOffset);
        PlacementCommitter committer = new PlacementCommitter(jobs, jdbcClient, properties, fence, leadership,
                events, lifecycle);

        if (preempts) {
            Boolean preempted = tx.execute(status -> committer.preempt(job, "test"));
            assertThat(preempted).isTrue();
            assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, job)).isEqualTo("QUEUED");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ? AND to_state = 'PREEMPTED'",
                    Long.class, job)).isEqualTo(1);
        } else {
            assertThatThrownBy(() -> tx.execute(status -> committer.preempt(job, "test")))
                    .isInstanceOf(LeaderFence.NotLeader.class);
            assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, job)).isEqualTo("SCHEDULED");
            assertThat(jdbc.queryForObject("SELECT state FROM workers WHERE job_id = ?", String.class, job))
                    .isEqualTo("ASSIGNED");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ? AND to_state = 'PREEMPTED'",
                    Long.class, job)).isZero();
        }
    }

    @Test
    void aStaleEpochTellsTheLeadershipItWasDeposed() {
        serverWithoutAgent();
        UUID job = queuedJob("deposed");
        long current = fence.current();
        long[] told = {-1};
        Leadership stale = new Leadership() {
            public boolean isLeader() {
                return true;
            }

            public long epoch() {
                return current - 1;
            }

            public void deposed(long newerEpoch) {
                told[0] = newerEpoch;
            }
        };

        assertThatThrownBy(() -> commit(stale, job)).isInstanceOf(LeaderFence.NotLeader.class);
        assertThat(told[0]).isEqualTo(current);
    }

    /**
     * A new leader taking its epoch waits for the old leader's in-flight placement (which holds the fence), so that
     * placement lands before the new epoch exists; the old leader's next placement is refused.
     */
    @Test
    void takingAnEpochWaitsForInFlightPlacementsAndFencesTheNextOnes() {
        serverWithoutAgent();
        UUID first = queuedJob("in-flight");
        UUID second = queuedJob("after-take-over");
        long oldEpoch = fence.current();
        Leadership oldLeader = new FixedLeadership(true, oldEpoch);
        PlacementCommitter committer = new PlacementCommitter(jobs, jdbcClient, properties, fence, oldLeader, events, lifecycle);
        JobRow firstRow = jobs.find(first).orElseThrow();

        CompletableFuture<Long> newEpoch = tx.execute(status -> {
            committer.commit(firstRow, onS1()); // holds the fence FOR SHARE until this transaction ends
            CompletableFuture<Long> take = CompletableFuture.supplyAsync(() -> fence.take("new-leader"));
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbcClient.sql("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE leader_fence%'""").query(Long.class).single() == 1);
            assertThat(take).isNotDone();
            return take;
        });

        assertThat(newEpoch.join()).isEqualTo(oldEpoch + 1);
        assertThat(jdbc.queryForList("SELECT leader_epoch FROM workers WHERE job_id = ?", Long.class, first))
                .containsExactly(oldEpoch);
        assertThatThrownBy(() -> commit(oldLeader, second)).isInstanceOf(LeaderFence.NotLeader.class);
        assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, second)).isEqualTo("QUEUED");
        assertThat(count("workers")).isEqualTo(1);
    }

    @ParameterizedTest(name = "leader={0}: considers {1} job(s)")
    @MethodSource("loopCases")
    void aLoopThatDoesNotLeadDoesNotEvenReadTheQueue(boolean leader, int considered) {
        liveServer("s1", "default", 2, "H100", 64000, 262144);
        postJson("/api/v1/servers/s1/cordon", ""); // nobody can place, so the background loop cannot interfere
        queuedJob("waiting");
        SchedulingLoop loop = new SchedulingLoop(properties, cluster, placement,
                new PlacementCommitter(jobs, jdbcClient, properties, fence, contextLeadership, events, lifecycle), jobs, lifecycle,
                quotas, new SimpleMeterRegistry(), new FixedLeadership(leader, fence.current()));

        assertThat(loop.cycle()).isEqualTo(new SchedulingLoop.CycleResult(considered, 0, 0, 0));
    }

    static Stream<Arguments> loopCases() {
        return Stream.of(arguments(true, 1), arguments(false, 0));
    }

    @Test
    void theGaugeReportsThatThisProcessLeads() {
        // the test context runs without leader election: the single process leads
        assertThat(contextLeadership.isLeader()).isTrue();
        assertThat(management("/actuator/prometheus").body()).containsPattern("(?m)^berth_leader(\\{[^}]*\\})? 1\\.0$");
    }
}
