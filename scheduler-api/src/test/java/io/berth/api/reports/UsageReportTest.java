package io.berth.api.reports;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.auth.Role;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Usage records are written when workers release their resources and summed by the usage report: three jobs of two
 * tenants on one 8-GPU server with power figures (idle 1,200 W, peak 6,400 W), over real HTTP and PostgreSQL.
 */
class UsageReportTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    private String trained;   // acme, 2 GPUs, succeeds
    private String cancelled; // beta, CPU only, cancelled
    private String broken;    // acme, 1 GPU at half share, fails with exit code 3 (no retries)

    private String submit(String name, String tenant, String group) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"" + tenant + "\",\"retries\":0,"
                + "\"taskGroups\":[{\"name\":\"g\",\"replicas\":1," + group + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"600\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private String workerOf(String job) {
        return jdbc.queryForObject("SELECT id::text FROM workers WHERE job_id = ?::uuid", String.class, job);
    }

    /** The agent's heartbeat listing every worker it runs or has finished: {@code job, state, exitCode} triples. */
    private void heartbeat(Object... reports) {
        StringBuilder workers = new StringBuilder();
        for (int i = 0; i < reports.length; i += 3) {
            if (i > 0) workers.append(',');
            workers.append("{\"workerId\":\"").append(workerOf((String) reports[i])).append("\",\"state\":\"")
                    .append(reports[i + 1]).append("\",\"exitCode\":").append(reports[i + 2]).append('}');
        }
        Response hb = postJson("/api/v1/agents/n1/heartbeat", "{\"workers\":[" + workers + "]}");
        assertThat(hb.status()).as(hb.body()).isEqualTo(200);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = 'n1'");
    }

    @BeforeEach
    void threeJobsRanAndEnded() {
        Response server = postJson("/api/v1/servers", """
                {"name":"n1","cpuMillis":64000,"memoryMib":524288,"idlePowerWatts":1200,"peakPowerWatts":6400,
                 "accelerators":[%s]}""".formatted(String.join(",", java.util.Collections.nCopies(8,
                "{\"kind\":\"GPU\",\"model\":\"A100-SXM4-80GB\",\"memoryMib\":81920}"))));
        assertThat(server.status()).as(server.body()).isEqualTo(201);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day', agent_address = 'localhost'");
        trained = submit("resnet", "acme", "\"cpuMillis\":8000,\"memoryMib\":65536,\"gpus\":2");
        cancelled = submit("etl", "beta", "\"cpuMillis\":16000,\"memoryMib\":8192");
        broken = submit("bert", "acme", "\"cpuMillis\":4000,\"memoryMib\":16384,\"gpus\":1,\"milliGpu\":500");
        for (int i = 0; i < 3; i++) loop.cycle();
        // each worker held its resources for a known time: placed an hour (two, three) ago
        jdbc.update("UPDATE workers SET created_at = now() - interval '1 hour' WHERE job_id = ?::uuid", trained);
        jdbc.update("UPDATE workers SET created_at = now() - interval '2 hours' WHERE job_id = ?::uuid", cancelled);
        jdbc.update("UPDATE workers SET created_at = now() - interval '3 hours' WHERE job_id = ?::uuid", broken);

        heartbeat(trained, "RUNNING", null, cancelled, "RUNNING", null, broken, "RUNNING", null);
        heartbeat(trained, "SUCCEEDED", 0, cancelled, "RUNNING", null, broken, "FAILED", 3);
        Response cancel = postJson("/api/v1/jobs/" + cancelled + "/cancel", "");
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        heartbeat(); // the agent has stopped the cancelled job's worker: no longer listed
    }

    /** The record's held time, hours, as written at release (the expected figures follow from it exactly). */
    private double hours(String job) {
        return jdbc.queryForObject("SELECT wall_millis FROM usage_records WHERE job_id = ?::uuid", Long.class, job)
                / 3_600_000.0;
    }

    private String usage(String query) {
        Response r = get("/api/v1/reports/usage" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void oneRecordPerWorkerIsWrittenWhenItsResourcesAreReleased() {
        List<Map<String, Object>> records = jdbc.queryForList("""
                SELECT job_name, tenant, accelerator_model, gpus, gpu_milli, cpu_millis, memory_mib, worker_state,
                       exit_code, job_state FROM usage_records ORDER BY job_name""");
        assertThat(records).containsExactly(
                Map.of("job_name", "bert", "tenant", "acme", "accelerator_model", "A100-SXM4-80GB", "gpus", 1,
                        "gpu_milli", 500L, "cpu_millis", 4000L, "memory_mib", 16384L, "worker_state", "FAILED",
                        "exit_code", 3, "job_state", "FAILED"),
                new java.util.HashMap<>(Map.of("job_name", "etl", "tenant", "beta", "gpus", 0, "gpu_milli", 0L,
                        "cpu_millis", 16000L, "memory_mib", 8192L, "worker_state", "STOPPED", "job_state", "CANCELLED")) {{
                    put("accelerator_model", null);
                    put("exit_code", null);
                }},
                new java.util.HashMap<>(Map.of("job_name", "resnet", "tenant", "acme", "accelerator_model", "A100-SXM4-80GB",
                        "gpus", 2, "gpu_milli", 2000L, "cpu_millis", 8000L, "memory_mib", 65536L,
                        "worker_state", "SUCCEEDED", "exit_code", 0, "job_state", "SUCCEEDED")));
        assertThat(hours(trained)).isCloseTo(1, within(0.01));
        assertThat(hours(broken)).isCloseTo(3, within(0.01));
        // energy: the share of the server times its peak power: 2 of 8 GPUs x 6,400 W = 1,600 W for the held hour
        assertThat(jdbc.queryForObject("SELECT energy_joules FROM usage_records WHERE job_id = ?::uuid", Long.class, trained))
                .isEqualTo(Math.round(1600 * hours(trained) * 3600));
    }

    @Test
    void reportsPerTenantWithTotals() {
        String body = usage("?groupBy=tenant");
        double resnet = hours(trained);
        double bert = hours(broken);
        double etl = hours(cancelled);
        // acme: resnet 2 GPUs + bert 0.5 GPU; 8 + 4 cores; energy 1,600 W (2/8 x 6,400) and 400 W (0.5/8 x 6,400)
        assertThat((String) JsonPath.read(body, "$.groups[0].key")).isEqualTo("acme");
        assertThat((Double) JsonPath.read(body, "$.groups[0].gpuHours")).isCloseTo(2 * resnet + 0.5 * bert, within(2e-6));
        assertThat((Double) JsonPath.read(body, "$.groups[0].cpuHours")).isCloseTo(8 * resnet + 4 * bert, within(2e-6));
        assertThat((Double) JsonPath.read(body, "$.groups[0].energyKwh")).isCloseTo(1.6 * resnet + 0.4 * bert, within(2e-6));
        assertThat((Integer) JsonPath.read(body, "$.groups[0].jobs")).isEqualTo(2);
        // beta: CPU only, 16 of 64 cores: a quarter of 6,400 W
        assertThat((String) JsonPath.read(body, "$.groups[1].key")).isEqualTo("beta");
        assertThat((Double) JsonPath.read(body, "$.groups[1].gpuHours")).isEqualTo(0.0);
        assertThat((Double) JsonPath.read(body, "$.groups[1].energyKwh")).isCloseTo(1.6 * etl, within(2e-6));
        assertThat((List<?>) JsonPath.read(body, "$.groups")).hasSize(2);
        assertThat((Double) JsonPath.read(body, "$.totals.cpuHours")).isCloseTo(8 * resnet + 4 * bert + 16 * etl, within(3e-6));
        assertThat((Integer) JsonPath.read(body, "$.totals.jobs")).isEqualTo(3);
        assertThat((String) JsonPath.read(body, "$.groupBy")).isEqualTo("tenant");
        // the window defaults to the 7 days before now
        Instant from = Instant.parse(JsonPath.read(body, "$.from"));
        Instant to = Instant.parse(JsonPath.read(body, "$.to"));
        assertThat(java.time.Duration.between(from, to)).isEqualTo(java.time.Duration.ofDays(7));
    }

    @Test
    void reportsPerJobAndPerModelAndKeepsRecordsOfDeletedJobs() {
        jdbc.update("DELETE FROM jobs WHERE id = ?::uuid", trained);
        String body = usage("?groupBy=job");
        assertThat((List<String>) JsonPath.read(body, "$.groups[*].jobName")).containsExactly("bert", "etl", "resnet");
        assertThat((List<String>) JsonPath.read(body, "$.groups[*].state")).containsExactly("FAILED", "CANCELLED", "SUCCEEDED");
        assertThat((List<Integer>) JsonPath.read(body, "$.groups[*].exitCode")).containsExactly(3, null, 0);
        assertThat((List<String>) JsonPath.read(body, "$.groups[*].key")).containsExactly(broken, cancelled, trained);
        assertThat((List<String>) JsonPath.read(body, "$.groups[*].tenant")).containsExactly("acme", "beta", "acme");
        assertThat((String) JsonPath.read(body, "$.groups[2].startedAt")).isNotNull();
        assertThat((String) JsonPath.read(body, "$.groups[2].finishedAt")).isNotNull();

        String models = usage("?groupBy=model");
        assertThat((List<String>) JsonPath.read(models, "$.groups[*].key")).containsExactly("A100-SXM4-80GB", "none");
        assertThat((List<Integer>) JsonPath.read(models, "$.groups[*].jobs")).containsExactly(2, 1);
    }

    @Test
    void csvHasTheSameColumns() {
        Response csv = send(HttpRequest.newBuilder(uri("/api/v1/reports/usage?groupBy=job")).header("Accept", "text/csv").GET());
        assertThat(csv.status()).as(csv.body()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("key,gpuHours,cpuHours,energyKwh,jobs,jobName,tenant,state,exitCode,startedAt,finishedAt");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith(broken + ",").contains(",bert,acme,FAILED,3,");
        assertThat(lines.get(2)).contains(",etl,beta,CANCELLED,,");
        Response tenants = send(HttpRequest.newBuilder(uri("/api/v1/reports/usage")).header("Accept", "text/csv").GET());
        assertThat(tenants.body().lines().toList()).hasSize(3).first().isEqualTo("key,gpuHours,cpuHours,energyKwh,jobs");
    }

    @Test
    void aTenantSeesOnlyItself() {
        token = tokens.issue("beta-user", Role.USER, "beta", null).token();
        String body = usage("?groupBy=job");
        assertThat((List<String>) JsonPath.read(body, "$.groups[*].jobName")).containsExactly("etl");
        assertThat((Integer) JsonPath.read(body, "$.totals.jobs")).isEqualTo(1);
        assertThat((List<String>) JsonPath.read(usage(""), "$.groups[*].key")).containsExactly("beta");
    }

    @Test
    void theWindowSelectsRecordsByWhenTheyEnded() {
        String past = usage("?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z");
        assertThat((List<?>) JsonPath.read(past, "$.groups")).isEmpty();
        assertThat((Integer) JsonPath.read(past, "$.totals.jobs")).isZero();
        assertThat((Double) JsonPath.read(past, "$.totals.gpuHours")).isEqualTo(0.0);
        String around = usage("?from=" + Instant.now().minusSeconds(3600) + "&to=" + Instant.now().plusSeconds(60)
                + "&groupBy=tenant");
        assertThat((Integer) JsonPath.read(around, "$.totals.jobs")).isEqualTo(3);
    }

    /**
     * Puts the three records at known times on 2026-11-02 (UTC), with energy at the figures of the seeded server:
     * resnet (acme, 2 GPUs, 8 cores, 1,600 W) 10:30-12:00, bert (acme, 0.5 GPU, 4 cores, 400 W) 11:15-11:45, etl
     * (beta, 16 cores, 1,600 W) from 22:00 the day before to 02:00, across midnight.
     */
    private void recordsAtKnownTimes() {
        record(trained, "2026-11-02T10:30:00Z", "2026-11-02T12:00:00Z", 1600);
        record(broken, "2026-11-02T11:15:00Z", "2026-11-02T11:45:00Z", 400);
        record(cancelled, "2026-11-01T22:00:00Z", "2026-11-02T02:00:00Z", 1600);
    }

    private void record(String job, String start, String end, long watts) {
        long millis = java.time.Duration.between(Instant.parse(start), Instant.parse(end)).toMillis();
        assertThat(jdbc.update("UPDATE usage_records SET started_at = ?::timestamptz, ended_at = ?::timestamptz, "
                + "wall_millis = ?, energy_joules = ? WHERE job_id = ?::uuid", start, end, millis,
                watts * millis / 1000, job)).isEqualTo(1);
    }

    /** A group's series as (start, gpuHours, cpuHours, energyKwh, jobs) rows. */
    private static List<List<Object>> series(String body, String key) {
        List<Map<String, Object>> buckets = JsonPath.read(body, "$.groups[?(@.key == '" + key + "')].series[*]");
        return buckets.stream().map(b -> List.of(b.get("start"), ((Number) b.get("gpuHours")).doubleValue(),
                ((Number) b.get("cpuHours")).doubleValue(), ((Number) b.get("energyKwh")).doubleValue(),
                ((Number) b.get("jobs")).longValue())).toList();
    }

    @Test
    void hourlySeriesSpreadEachRecordOverTheHoursItHeldItsResources() {
        recordsAtKnownTimes();
        String body = usage("?from=2026-11-02T00:00:00Z&to=2026-11-02T13:00:00Z&bucket=hour");
        assertThat(series(body, "acme")).containsExactly(
                // resnet's first half hour: 2 GPUs x 0.5 h, 8 cores x 0.5 h, 1.6 kW x 0.5 h
                List.of("2026-11-02T10:00:00Z", 1.0, 4.0, 0.8, 1L),
                // resnet's whole hour (2, 8, 1.6) plus bert's half hour (0.5 GPU x 0.5 h, 4 x 0.5, 0.4 kW x 0.5)
                List.of("2026-11-02T11:00:00Z", 2.25, 10.0, 1.8, 2L));
        // the series sums to the group's row: 3.25 GPU-hours, 14 core-hours, 2.6 kWh
        assertThat((Double) JsonPath.read(body, "$.groups[0].gpuHours")).isEqualTo(3.25);
        assertThat((Double) JsonPath.read(body, "$.groups[0].cpuHours")).isEqualTo(14.0);
        assertThat((Double) JsonPath.read(body, "$.groups[0].energyKwh")).isEqualTo(2.6);
        // etl ended in the window but started 2 h before it: its row has all 4 h (64 core-hours, 6.4 kWh), the series
        // only the hours inside the window (16 cores, 1.6 kW each)
        assertThat(series(body, "beta")).containsExactly(
                List.of("2026-11-02T00:00:00Z", 0.0, 16.0, 1.6, 1L),
                List.of("2026-11-02T01:00:00Z", 0.0, 16.0, 1.6, 1L));
        assertThat((Double) JsonPath.read(body, "$.groups[1].cpuHours")).isEqualTo(64.0);
    }

    @Test
    void dailySeriesSplitARecordAtUtcMidnightAndSumToTheRows() {
        recordsAtKnownTimes();
        String body = usage("?from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z&bucket=day&groupBy=tenant");
        assertThat(series(body, "acme")).containsExactly(List.of("2026-11-02T00:00:00Z", 3.25, 14.0, 2.6, 2L));
        // etl: 2 h on each side of midnight, 16 cores and 1.6 kW each hour
        assertThat(series(body, "beta")).containsExactly(
                List.of("2026-11-01T00:00:00Z", 0.0, 32.0, 3.2, 1L),
                List.of("2026-11-02T00:00:00Z", 0.0, 32.0, 3.2, 1L));
        assertThat((Double) JsonPath.read(body, "$.groups[1].cpuHours")).isEqualTo(64.0);
        assertThat((Double) JsonPath.read(body, "$.groups[1].energyKwh")).isEqualTo(6.4);

        // by model and by job too; a window not on a bucket boundary starts with its partial bucket
        String models = usage("?from=2026-11-02T11:30:00Z&to=2026-11-02T12:30:00Z&bucket=hour&groupBy=model");
        // resnet's last half hour (2 x 0.5) and bert's last quarter (0.5 x 0.25) in the 11:00 bucket
        assertThat(series(models, "A100-SXM4-80GB")).containsExactly(
                List.of("2026-11-02T11:00:00Z", 1.125, 5.0, 0.9, 2L));
        String jobs = usage("?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&bucket=day&groupBy=job");
        assertThat(series(jobs, trained)).containsExactly(List.of("2026-11-02T00:00:00Z", 3.0, 12.0, 2.4, 1L));
    }

    @Test
    void withoutABucketThereIsNoSeriesAndATenantSeesOnlyItsOwn() {
        recordsAtKnownTimes();
        String window = "?from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z";
        assertThat((List<?>) JsonPath.read(usage(window), "$.groups[*].series")).isEmpty();
        token = tokens.issue("beta-user", Role.USER, "beta", null).token();
        String body = usage(window + "&bucket=day");
        assertThat((List<String>) JsonPath.read(body, "$.groups[*].key")).containsExactly("beta");
        assertThat(series(body, "beta")).hasSize(2);
        // 1,000 hour buckets are allowed (1,001 are not, below)
        usage("?from=2026-01-01T00:00:00Z&to=2026-02-11T16:00:00Z&bucket=hour");
    }

    @Test
    void theCsvRefusesABucket() {
        Response csv = send(HttpRequest.newBuilder(uri("/api/v1/reports/usage?bucket=day")).header("Accept", "text/csv").GET());
        assertThat(csv.status()).as(csv.body()).isEqualTo(400);
        assertThat((String) JsonPath.read(csv.body(), "$.errors[0].field")).isEqualTo("bucket");
        assertThat((String) JsonPath.read(csv.body(), "$.errors[0].message")).contains("JSON only");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unreadable from       | ?from=yesterday                                             | from
            unreadable to         | ?to=2026-13-01T00:00:00Z                                    | to
            from after to         | ?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z          | from
            unknown grouping      | ?groupBy=rack                                               | groupBy
            unknown bucket        | ?bucket=week                                                | bucket
            1001 hour buckets     | ?from=2026-01-01T00:00:00Z&to=2026-02-11T16:00:01Z&bucket=hour | bucket
            1001 day buckets      | ?from=2024-01-01T00:00:00Z&to=2026-09-28T00:00:00Z&bucket=day  | bucket
            """)
    void badParametersAreProblemsNamingTheField(String name, String query, String field) {
        for (String accept : List.of("application/json", "text/csv")) {
            Response r = send(HttpRequest.newBuilder(uri("/api/v1/reports/usage" + query)).header("Accept", accept).GET());
            assertThat(r.status()).as(accept + ": " + r.body()).isEqualTo(400);
            assertThat((String) JsonPath.read(r.body(), "$.errors[0].field")).isEqualTo(field);
        }
    }
}
