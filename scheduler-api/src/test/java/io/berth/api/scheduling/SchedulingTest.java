package io.berth.api.scheduling;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduling loop against the real database. The background loop is stopped for each test, which runs cycles
 * on demand ({@code cycle()}), so nothing is placed before the test asks.
 */
class SchedulingTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    private String submit(String name, String tenant, int priority, int replicas, int gpus) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"" + tenant + "\",\"priority\":"
                + priority + ",\"taskGroups\":[{\"name\":\"g\",\"replicas\":" + replicas
                + ",\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private String state(String id) {
        return jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    private String pending(String id) {
        return jdbc.queryForObject("SELECT pending_reason FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    @BeforeEach
    void stopTheBackgroundLoop() {
        loop.stop();
    }

    @AfterEach
    void startTheBackgroundLoop() {
        loop.start();
    }

    private void settle() {
        for (int i = 0; i < 3; i++) loop.cycle();
    }

    @Test
    void placesByPriorityAndExplainsWhyTheRestWaits() {
        liveServer("s1", "default", 2, "H100", 64000, 262144);
        String low = submit("low", "t", 1, 1, 2);
        String high = submit("high", "t", 9, 1, 2);
        settle();

        assertThat(state(high)).isEqualTo("SCHEDULED");
        assertThat(state(low)).isEqualTo("QUEUED");
        assertThat(pending(low)).isEqualTo("1 server: not enough free GPU");
        Response detail = get("/api/v1/jobs/" + high);
        assertThat((List<String>) JsonPath.read(detail.body(), "$.placement[*].server")).containsExactly("s1");
        assertThat((List<Integer>) JsonPath.read(detail.body(), "$.placement[0].gpuIndices")).containsExactly(0, 1);
        assertThat((String) JsonPath.read(get("/api/v1/jobs/" + low).body(), "$.pendingReason")).isEqualTo(pending(low));

        Response picture = get("/api/v1/cluster/utilization.svg");
        assertThat(picture.headers().firstValue("Content-Type").orElseThrow()).startsWith("image/svg+xml");
        assertThat(picture.body()).contains("1 servers, GPU allocated 100.0%").contains("<title>s1 (default, READY)</title>");
    }

    @Test
    void gangIsPlacedWholeOrNotAtAll() {
        liveServer("s1", "default", 2, "H100", 64000, 262144);
        liveServer("s2", "default", 2, "H100", 64000, 262144);
        liveServer("s3", "default", 2, "H100", 64000, 262144);
        postJson("/api/v1/servers/s3/cordon", "");
        String gang = submit("gang", "t", 5, 3, 2); // needs 3 servers with 2 free GPUs; 2 are in service
        settle();

        assertThat(state(gang)).isEqualTo("QUEUED");
        assertThat(count("workers")).isZero();
        assertThat(jdbc.queryForObject("SELECT sum(used_milli) FROM accelerator_usage", Long.class)).isZero();

        postJson("/api/v1/servers/s3/ready", "");
        settle();
        assertThat(state(gang)).isEqualTo("SCHEDULED");
        assertThat(jdbc.queryForList("SELECT rank FROM workers ORDER BY rank", Integer.class)).containsExactly(0, 1, 2);
    }

    @Test
    void tenantQuotaHoldsBackJobsBeyondTheLimit() {
        liveServer("s1", "default", 8, "H100", 64000, 262144);
        assertThat(put("/api/v1/quotas/team-q", "{\"gpuMilli\":2000}").status()).isEqualTo(200);
        String a = submit("a", "team-q", 0, 1, 2);
        String b = submit("b", "team-q", 0, 1, 1);
        String other = submit("c", "team-r", 0, 1, 1);
        settle();

        assertThat(state(a)).isEqualTo("SCHEDULED");
        assertThat(state(b)).isEqualTo("QUEUED");
        assertThat(pending(b)).isEqualTo("tenant team-q GPU quota: 2000 + 1000 milli-GPU > limit 2000");
        assertThat(state(other)).isEqualTo("SCHEDULED");
        assertThat(put("/api/v1/quotas/team-q", "{\"gpuMilli\":-1}").status()).isEqualTo(400);
    }

    @Test
    void backfillLeavesTheBlockedHeadJobsReservationAlone() {
        liveServer("big", "default", 8, "H100", 64000, 262144);
        liveServer("small", "default", 2, "H100", 64000, 262144);
        String running = submit("running", "t", 20, 1, 4); // only fits on big
        settle();
        assertThat(state(running)).isEqualTo("SCHEDULED");

        String head = submit("head", "t", 10, 1, 8);      // blocked until running ends; reserves big
        String fitsSmall = submit("fits-small", "t", 5, 1, 2);
        String wouldDelayHead = submit("would-delay", "t", 5, 1, 3);
        settle();

        assertThat(state(head)).isEqualTo("QUEUED");
        assertThat(state(fitsSmall)).isEqualTo("SCHEDULED");
        assertThat(jdbc.queryForObject("SELECT s.name FROM workers w JOIN servers s ON s.id = w.server_id "
                + "WHERE w.job_id = ?::uuid", String.class, fitsSmall)).isEqualTo("small");
        assertThat(state(wouldDelayHead)).isEqualTo("QUEUED");
        assertThat(pending(wouldDelayHead)).isEqualTo("backfill: would delay a reservation on big");
    }

    @Test
    void highPriorityJobPreemptsAWholeLowerPriorityGang() {
        liveServer("s1", "default", 4, "H100", 64000, 262144);
        String low = submit("low", "t", 1, 2, 2);
        settle();
        assertThat(state(low)).isEqualTo("SCHEDULED");

        String urgent = submit("urgent", "t", 500, 1, 4);
        settle();
        assertThat(state(low)).as(get("/api/v1/jobs/" + low).body()).isEqualTo("QUEUED");
        assertThat(jdbc.queryForList("SELECT state FROM workers WHERE job_id = ?::uuid", String.class, low))
                .containsOnly("STOPPING");
        assertThat(state(urgent)).isEqualTo("QUEUED"); // waits for the victims to stop

        // the agent of s1 reports it runs nothing any more: the stopping workers release their GPUs
        Response hb = postJson("/api/v1/agents/s1/heartbeat", "{\"workers\":[]}");
        assertThat(hb.status()).as(hb.body()).isEqualTo(200);
        settle();
        assertThat(state(urgent)).isIn("SCHEDULED");
        List<String> lowEvents = JsonPath.read(get("/api/v1/jobs/" + low).body(), "$.events[*].to");
        assertThat(lowEvents).containsSubsequence("SCHEDULED", "PREEMPTED", "QUEUED");
        assertThat(jdbc.queryForObject("SELECT failures FROM jobs WHERE id = ?::uuid", Integer.class, low)).isZero();
    }

    @Test
    void racingLoopsNeverOverAllocate() throws Exception {
        for (int s = 0; s < 3; s++) liveServer("race-" + s, "default", 8, "H100", 16000, 65536);
        for (int i = 0; i < 40; i++) submit("j" + i, "t" + (i % 3), i % 4, 1, 1 + (i % 2));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<SchedulingLoop.CycleResult>> results = new ArrayList<>();
        for (int i = 0; i < 12; i++) results.add(pool.submit(loop::cycle));
        for (Future<SchedulingLoop.CycleResult> f : results) f.get();
        pool.shutdown();

        // every counter equals the sum over the workers that hold resources, and stays within capacity
        List<Map<String, Object>> gpus = jdbc.queryForList("""
                SELECT a.used_milli, coalesce((SELECT sum(w.milli_gpu) FROM workers w WHERE w.holds_resources
                       AND w.server_id = a.server_id AND a.idx = ANY (w.gpu_indices)), 0) AS expected
                FROM accelerator_usage a""");
        for (Map<String, Object> g : gpus) {
            assertThat(((Number) g.get("used_milli")).longValue()).isEqualTo(((Number) g.get("expected")).longValue())
                    .isLessThanOrEqualTo(1000);
        }
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM servers s JOIN server_usage u ON u.server_id = s.id
                WHERE u.cpu_millis_used <> coalesce((SELECT sum(cpu_millis) FROM workers w
                       WHERE w.holds_resources AND w.server_id = s.id), 0) OR u.cpu_millis_used > s.cpu_millis""",
                Long.class)).isZero();
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM (SELECT job_id FROM workers GROUP BY job_id HAVING count(DISTINCT attempt) > 1) x""",
                Long.class)).isZero();
        // 24 GPUs, jobs of 1 and 2 GPUs: the cluster is full or nearly so
        assertThat(jdbc.queryForObject("SELECT sum(used_milli) FROM accelerator_usage", Long.class)).isGreaterThanOrEqualTo(23_000);
    }

    @Autowired
    PlacementCommitter committer;

    @Autowired
    io.berth.api.jobs.JobQueue jobQueue;

    @Test
    void oneCycleCommitsSharedGpusOfManyJobsTogetherWithExactCounters() {
        liveServer("share-1", "default", 2, "H100", 64000, 65536);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Response r = postJson("/api/v1/jobs", "{\"name\":\"half-" + i + "\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                    + "\"replicas\":1,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":1,\"milliGpu\":500}],"
                    + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            ids.add(JsonPath.read(r.body(), "$.id"));
        }
        settle();

        ids.forEach(id -> assertThat(state(id)).isEqualTo("SCHEDULED"));
        assertThat(jdbc.queryForList("SELECT used_milli FROM accelerator_usage ORDER BY idx", Integer.class)).containsExactly(1000, 1000);
        assertThat(jdbc.queryForObject("SELECT cpu_millis_used FROM server_usage u JOIN servers s ON s.id = u.server_id WHERE s.name = 'share-1'", Long.class)).isEqualTo(4000);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT leader_epoch) FROM workers WHERE leader_epoch IS NOT NULL",
                Long.class)).isEqualTo(1);
        assertThat(count("job_events WHERE to_state = 'SCHEDULED' AND reason LIKE 'placed on share-1 GPU [_]'")).isEqualTo(4);
    }

    /**
     * Two multi-replica jobs whose rank 0 lands on the same server get different MASTER_PORTs even when their ids
     * point at the same first port (the second job is a copy of the first under an id chosen to collide), whether
     * committed one by one or in one batch; the database refuses a duplicate written around the scheduler.
     */
    @Test
    void multiReplicaJobsOnOneServerGetDistinctMasterPorts() {
        liveServer("port-1", "default", 4, "H100", 64000, 65536);
        liveServer("port-2", "default", 4, "H100", 64000, 65536);
        java.util.UUID first = java.util.UUID.fromString(submit("first", "t", 0, 2, 1));
        List<java.util.UUID> twins = new ArrayList<>();
        while (twins.size() < 3) {
            java.util.UUID id = java.util.UUID.randomUUID();
            if (Math.floorMod(id.hashCode(), PlacementCommitter.MASTER_PORTS)
                    == Math.floorMod(first.hashCode(), PlacementCommitter.MASTER_PORTS)) twins.add(id);
        }
        for (java.util.UUID twin : twins) {
            jdbc.update("INSERT INTO jobs SELECT (jsonb_populate_record(NULL::jobs, to_jsonb(j) "
                    + "|| jsonb_build_object('id', ?::text))).* FROM jobs j WHERE id = ?", twin.toString(), first);
        }
        java.util.function.IntFunction<List<io.berth.core.placement.Assignment>> onGpu = g -> List.of(
                new io.berth.core.placement.Assignment("g", 0, "port-1", List.of(g), 1000, 1000, 1024, 0, 0, 0),
                new io.berth.core.placement.Assignment("g", 1, "port-2", List.of(g), 1000, 1000, 1024, 0, 0, 0));
        committer.commit(jobQueue.find(first).orElseThrow(), onGpu.apply(0));
        committer.commit(jobQueue.find(twins.get(0)).orElseThrow(), onGpu.apply(1));
        committer.commitAll(List.of(
                new PlacementCommitter.Pending(jobQueue.find(twins.get(1)).orElseThrow(), onGpu.apply(2)),
                new PlacementCommitter.Pending(jobQueue.find(twins.get(2)).orElseThrow(), onGpu.apply(3))));

        assertThat(jdbc.queryForList("SELECT master_port FROM workers WHERE rank = 0", Integer.class))
                .hasSize(4).doesNotHaveDuplicates();
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT master_port) FROM workers", Long.class)).isEqualTo(4);
        int firstPort = jdbc.queryForObject("SELECT master_port FROM workers WHERE job_id = ? AND rank = 0",
                Integer.class, first);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.update(
                        "UPDATE workers SET master_port = ? WHERE job_id = ?", firstPort, twins.get(2)))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
    }

    @Test
    void aBatchWithOneStaleJobWritesNothing() {
        liveServer("batch-1", "default", 4, "H100", 64000, 65536);
        String a = submit("a", "t", 0, 1, 1);
        String b = submit("b", "t", 0, 1, 1);
        var rowA = jobQueue.find(java.util.UUID.fromString(a)).orElseThrow();
        var rowB = jobQueue.find(java.util.UUID.fromString(b)).orElseThrow();
        jdbc.update("UPDATE jobs SET version = version + 1 WHERE id = ?::uuid", b); // changed since it was read

        var placeA = List.of(new io.berth.core.placement.Assignment("g", 0, "batch-1", List.of(0), 1000, 1000, 1024, 0, 0, 0));
        var placeB = List.of(new io.berth.core.placement.Assignment("g", 0, "batch-1", List.of(1), 1000, 1000, 1024, 0, 0, 0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> committer.commitAll(List.of(
                new PlacementCommitter.Pending(rowA, placeA), new PlacementCommitter.Pending(rowB, placeB))))
                .isInstanceOf(PlacementCommitter.StaleJob.class);

        assertThat(state(a)).isEqualTo("QUEUED");
        assertThat(count("workers")).isZero();
        assertThat(jdbc.queryForObject("SELECT sum(used_milli) FROM accelerator_usage", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT cpu_millis_used FROM server_usage u JOIN servers s ON s.id = u.server_id WHERE s.name = 'batch-1'", Long.class)).isZero();

        settle(); // the loop reads both again and places them
        assertThat(state(a)).isEqualTo("SCHEDULED");
        assertThat(state(b)).isEqualTo("SCHEDULED");
    }
}
