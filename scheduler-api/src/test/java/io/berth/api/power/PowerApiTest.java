package io.berth.api.power;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.auth.Role;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Power reports in heartbeats over real HTTP on the real PostgreSQL: the energy counter they integrate, the usage
 * record's energy from it, the cluster power endpoints and gauges, and the validation of the reports. The heartbeat
 * timeout is 5 s and the PUE 1.4 (both ApiTestBase); the timeout caps every integrated interval.
 */
class PowerApiTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;
    @Autowired
    ClusterPowerService power;

    private static final String GPUS = String.join(",", java.util.Collections.nCopies(8,
            "{\"kind\":\"GPU\",\"model\":\"A100-SXM4-80GB\",\"memoryMib\":81920}"));

    @BeforeEach
    void aSmallDataCenter() {
        Response r = post("/api/v1/inventory/import", "application/yaml", """
                zones: [{name: a}, {name: b}]
                racks: [{name: r1, zone: a}, {name: r2, zone: b}]
                servers:
                  - {name: gpu-1, rack: r1, cpuMillis: 64000, memoryMib: 524288, idlePowerWatts: 1200, peakPowerWatts: 6400,
                     accelerators: [%s]}
                  - {name: cpu-1, rack: r1, cpuMillis: 32000, memoryMib: 65536, idlePowerWatts: 200, peakPowerWatts: 600}
                  - {name: cpu-2, rack: r2, cpuMillis: 32000, memoryMib: 65536}
                  - {name: silent, rack: r2, cpuMillis: 32000, memoryMib: 65536, idlePowerWatts: 200, peakPowerWatts: 600}
                """.formatted(GPUS));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day', agent_address = 'localhost' "
                + "WHERE name <> 'silent'");
    }

    private Response heartbeat(String server, String body) {
        Response hb = postJson("/api/v1/agents/" + server + "/heartbeat", body);
        // keep the agent live for the heartbeat monitor between the test's heartbeats
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = ?", server);
        return hb;
    }

    private void heartbeatOk(String server, String body) {
        Response hb = heartbeat(server, body);
        assertThat(hb.status()).as(hb.body()).isEqualTo(200);
    }

    private static String powered(int watts, String workers) {
        return "{\"workers\":[" + workers + "],\"power\":{\"serverWatts\":" + watts + ",\"source\":\"model\"}}";
    }

    private long energy(String server) {
        return jdbc.queryForObject("SELECT energy_joules FROM servers WHERE name = ?", Long.class, server);
    }

    @Test
    void eachReportAddsTheTrapezoidSinceThePreviousOneCappedAtTheHeartbeatTimeout() {
        heartbeatOk("cpu-1", powered(1000, ""));
        assertThat(energy("cpu-1")).as("the first report has no interval").isZero();
        assertThat(jdbc.queryForMap("SELECT power_watts, power_source FROM servers WHERE name = 'cpu-1'"))
                .isEqualTo(Map.of("power_watts", 1000, "power_source", "model"));

        // an interval of about 3 s: (1,000 + 2,000) / 2 W x the seconds between the two reports, read back exactly
        jdbc.update("UPDATE servers SET power_at = power_at - interval '3 seconds' WHERE name = 'cpu-1'");
        Timestamp before = jdbc.queryForObject("SELECT power_at FROM servers WHERE name = 'cpu-1'", Timestamp.class);
        heartbeatOk("cpu-1", powered(2000, ""));
        Timestamp after = jdbc.queryForObject("SELECT power_at FROM servers WHERE name = 'cpu-1'", Timestamp.class);
        double seconds = (after.getTime() - before.getTime()) / 1000.0 + (after.getNanos() % 1_000_000 - before.getNanos() % 1_000_000) / 1e9;
        assertThat(seconds).isBetween(3.0, 5.0);
        assertThat(energy("cpu-1")).isEqualTo(Math.round(1500 * seconds));
        long afterTwo = energy("cpu-1");

        // an outage of an hour counts only the heartbeat timeout: (2,000 + 500) / 2 x 5 s = 6,250 J
        jdbc.update("UPDATE servers SET power_at = power_at - interval '1 hour' WHERE name = 'cpu-1'");
        heartbeatOk("cpu-1", powered(500, ""));
        assertThat(energy("cpu-1")).isEqualTo(afterTwo + 6250);

        // a heartbeat without power (an older agent) changes neither the figure nor the counter
        jdbc.update("UPDATE servers SET power_at = power_at - interval '1 hour' WHERE name = 'cpu-1'");
        heartbeatOk("cpu-1", "{\"workers\":[]}");
        assertThat(energy("cpu-1")).isEqualTo(afterTwo + 6250);
        assertThat(jdbc.queryForObject("SELECT power_watts FROM servers WHERE name = 'cpu-1'", Integer.class)).isEqualTo(500);
    }

    private String submit(String name, String group) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"acme\",\"retries\":0,"
                + "\"taskGroups\":[{\"name\":\"g\",\"replicas\":1," + group + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"600\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private String worker(String job, String state, Integer exitCode) {
        String id = jdbc.queryForObject("SELECT id::text FROM workers WHERE job_id = ?::uuid", String.class, job);
        return "{\"workerId\":\"" + id + "\",\"state\":\"" + state + "\",\"exitCode\":" + exitCode + "}";
    }

    @Test
    void aUsageRecordChargesTheWorkersShareOfTheEnergyCountedWhileItRan() {
        jdbc.update("UPDATE servers SET state = 'CORDONED' WHERE name <> 'gpu-1'");
        String job = submit("resnet", "\"cpuMillis\":8000,\"memoryMib\":65536,\"gpus\":2");
        for (int i = 0; i < 3; i++) loop.cycle();
        heartbeatOk("gpu-1", powered(1000, ""));
        jdbc.update("UPDATE servers SET power_at = power_at - interval '1 hour' WHERE name = 'gpu-1'");
        heartbeatOk("gpu-1", powered(2000, worker(job, "RUNNING", null)));
        // before it ran: (1,000 + 2,000) / 2 x 5 s = 7,500 J, which the worker does not pay
        assertThat(jdbc.queryForObject("SELECT energy_start_joules FROM workers WHERE job_id = ?::uuid", Long.class, job))
                .isEqualTo(7500);
        jdbc.update("UPDATE servers SET power_at = power_at - interval '1 hour' WHERE name = 'gpu-1'");
        heartbeatOk("gpu-1", powered(4000, worker(job, "SUCCEEDED", 0)));
        // while it ran: (2,000 + 4,000) / 2 x 5 s = 15,000 J, of which 2 of 8 GPUs: 3,750 J (the inventory's estimate
        // would have been 2/8 x 6,400 W over the whole held time)
        assertThat(energy("gpu-1")).isEqualTo(7500 + 15000);
        assertThat(jdbc.queryForObject("SELECT energy_joules FROM usage_records WHERE job_id = ?::uuid", Long.class, job))
                .isEqualTo(3750);
    }

    @Test
    void aServerThatNeverReportedPowerKeepsTheInventorysEstimate() {
        jdbc.update("UPDATE servers SET state = 'CORDONED' WHERE name <> 'cpu-1'");
        String job = submit("etl", "\"cpuMillis\":8000,\"memoryMib\":8192");
        for (int i = 0; i < 3; i++) loop.cycle();
        jdbc.update("UPDATE workers SET created_at = now() - interval '1 hour' WHERE job_id = ?::uuid", job);
        heartbeatOk("cpu-1", "{\"workers\":[" + worker(job, "RUNNING", null) + "]}");
        heartbeatOk("cpu-1", "{\"workers\":[" + worker(job, "SUCCEEDED", 0) + "]}");
        Map<String, Object> record = jdbc.queryForMap(
                "SELECT energy_joules, wall_millis FROM usage_records WHERE job_id = ?::uuid", job);
        // 8 of 32 cores x 600 W peak = 150 W over the held time
        assertThat(record.get("energy_joules"))
                .isEqualTo(Math.round(150 * ((Long) record.get("wall_millis")) / 1000.0));
    }

    @Test
    void clusterPowerSumsTheServersByZoneAndRackWithThePue() {
        heartbeatOk("gpu-1", """
                {"power":{"serverWatts":3100,"source":"nvidia-smi+rapl","gpuWatts":[{"index":0,"watts":400},
                 {"index":7,"watts":380}],"cpuWatts":310}}""");
        jdbc.update("UPDATE servers SET power_watts = 900, power_source = 'model', power_at = now(), energy_joules = 5000 "
                + "WHERE name = 'silent'");
        // cpu-1: live, no report: the control plane's model, 200 + 400 x 8,000 / 32,000 allocated = 300 W
        jdbc.update("UPDATE server_usage SET cpu_millis_used = 8000 "
                + "WHERE server_id = (SELECT id FROM servers WHERE name = 'cpu-1')");

        Response r = get("/api/v1/cluster/power");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String b = r.body();
        assertThat((Double) JsonPath.read(b, "$.pue")).isEqualTo(1.4);
        assertThat(((Number) JsonPath.read(b, "$.itWatts")).longValue()).isEqualTo(3100 + 300);
        assertThat(((Number) JsonPath.read(b, "$.facilityWatts")).longValue()).isEqualTo(Math.round(3400 * 1.4));
        assertThat(((Number) JsonPath.read(b, "$.energyJoules")).longValue()).isEqualTo(5000);
        assertThat((List<Map<String, Object>>) JsonPath.read(b, "$.zones")).containsExactly(
                Map.of("zone", "a", "itWatts", 3400, "servers", 2), Map.of("zone", "b", "itWatts", 0, "servers", 2));
        assertThat((List<Map<String, Object>>) JsonPath.read(b, "$.racks")).containsExactly(
                Map.of("rack", "r1", "zone", "a", "itWatts", 3400, "servers", 2),
                Map.of("rack", "r2", "zone", "b", "itWatts", 0, "servers", 2));
        assertThat((List<String>) JsonPath.read(b, "$.servers[*].name")).containsExactly("cpu-1", "gpu-1", "cpu-2", "silent");
        assertThat((List<Integer>) JsonPath.read(b, "$.servers[*].watts")).containsExactly(300, 3100, 0, 0);
        // cpu-2 has no figures at all; silent's agent is silent, whatever it reported last
        assertThat((List<String>) JsonPath.read(b, "$.servers[*].source")).containsExactly("model", "nvidia-smi+rapl", "none", "none");
        assertThat((String) JsonPath.read(b, "$.servers[1].at")).isNotNull();

        // a report older than the heartbeat timeout from a live agent gives way to the inventory's model: gpu-1 has
        // nothing allocated, so its idle 1,200 W
        jdbc.update("UPDATE servers SET power_at = now() - interval '1 minute' WHERE name = 'gpu-1'");
        String stale = get("/api/v1/cluster/power").body();
        assertThat((List<Integer>) JsonPath.read(stale, "$.servers[?(@.name == 'gpu-1')].watts")).containsExactly(1200);
        assertThat((List<String>) JsonPath.read(stale, "$.servers[?(@.name == 'gpu-1')].source")).containsExactly("model");

    }

    /** A Prometheus counter must not go down: a deleted server's energy stays in the cluster's total. */
    @Test
    void theEnergyOfADeletedServerStaysInTheTotal() {
        jdbc.update("UPDATE servers SET energy_joules = 5000 WHERE name = 'silent'");
        jdbc.update("UPDATE servers SET energy_joules = 700 WHERE name = 'cpu-2'");
        assertThat(delete("/api/v1/servers/silent").status()).isEqualTo(204);

        power.sample();
        assertThat(((Number) JsonPath.read(get("/api/v1/cluster/power").body(), "$.energyJoules")).longValue())
                .isEqualTo(5700);
        assertThat(management("/actuator/prometheus").body()).contains("berth_energy_it_joules_total 5700.0");
        assertThat(delete("/api/v1/servers/cpu-2").status()).isEqualTo(204);
        assertThat(((Number) JsonPath.read(get("/api/v1/cluster/power").body(), "$.energyJoules")).longValue())
                .isEqualTo(5700);
    }

    @Test
    void anyRoleReadsThePowerAndTheHistoryHoldsTheSamples() {
        heartbeatOk("gpu-1", powered(2000, ""));
        power.sample();
        heartbeatOk("gpu-1", powered(2500, ""));
        power.sample();
        token = tokens.issue("viewer", Role.USER, "acme", null).token();
        Response r = get("/api/v1/cluster/power/history?minutes=5");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat((Double) JsonPath.read(r.body(), "$.pue")).isEqualTo(1.4);
        List<Map<String, Object>> samples = JsonPath.read(r.body(), "$.samples");
        assertThat(samples.size()).isGreaterThanOrEqualTo(2);
        Map<String, Object> last = samples.get(samples.size() - 1);
        // 2,500 W reported + cpu-1's model at idle, 200 W; facility x 1.4
        assertThat(last).containsEntry("itWatts", 2700).containsEntry("facilityWatts", 3780)
                .containsEntry("zones", Map.of("a", 2700, "b", 0)).containsEntry("racks", Map.of("r1", 2700, "r2", 0));
        assertThat(samples.get(samples.size() - 2)).containsEntry("itWatts", 2200);
        assertThat(get("/api/v1/cluster/power").status()).isEqualTo(200);

        String metrics = management("/actuator/prometheus").body();
        assertThat(metrics).contains("berth_power_it_watts 2700.0", "berth_power_facility_watts 3780.0",
                "berth_power_rack_watts{rack=\"r1\",zone=\"a\"} 2700.0", "berth_energy_it_joules_total ");
    }

    @ParameterizedTest(name = "minutes={0}")
    @CsvSource({"0", "1441", "-5", "sixty"})
    void aBadHistorySpanIsAProblemNamingMinutes(String minutes) {
        Response r = get("/api/v1/cluster/power/history?minutes=" + minutes);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("\"field\":\"minutes\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            negative watts              | {"serverWatts":-1,"source":"model"}                                          | power.serverWatts
            absurd watts                | {"serverWatts":250000,"source":"model"}                                      | power.serverWatts
            fractional watts            | {"serverWatts":120.5,"source":"model"}                                       | power.serverWatts
            missing watts               | {"source":"model"}                                                           | power.serverWatts
            unknown source              | {"serverWatts":100,"source":"ipmi"}                                          | power.source
            GPU watts out of range      | {"serverWatts":9000,"source":"nvidia-smi","gpuWatts":[{"index":0,"watts":9000}]} | power.gpuWatts[0].watts
            a GPU the server lacks      | {"serverWatts":900,"source":"nvidia-smi","gpuWatts":[{"index":0,"watts":300},{"index":8,"watts":300}]} | power.gpuWatts[1].index
            a GPU twice                 | {"serverWatts":900,"source":"nvidia-smi","gpuWatts":[{"index":3,"watts":300},{"index":3,"watts":300}]} | power.gpuWatts[1].index
            nvidia-smi without GPUs     | {"serverWatts":900,"source":"nvidia-smi"}                                    | power.gpuWatts
            model with a CPU figure     | {"serverWatts":900,"source":"model","cpuWatts":200}                          | power.cpuWatts
            rapl without a CPU figure   | {"serverWatts":900,"source":"rapl"}                                          | power.cpuWatts
            negative CPU watts          | {"serverWatts":900,"source":"rapl","cpuWatts":-3}                            | power.cpuWatts
            """)
    void anInvalidReportIsAProblemNamingTheFieldAndWritesNothing(String name, String report, String field) {
        heartbeatOk("gpu-1", powered(1000, ""));
        jdbc.update("UPDATE servers SET agent_last_seen = now() - interval '2 seconds' WHERE name = 'gpu-1'");
        Map<String, Object> before = jdbc.queryForMap(
                "SELECT agent_last_seen, power_watts, power_at, energy_joules FROM servers WHERE name = 'gpu-1'");
        Response r = postJson("/api/v1/agents/gpu-1/heartbeat", "{\"power\":" + report + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat((List<String>) JsonPath.read(r.body(), "$.errors[*].field")).containsExactly(field);
        assertThat(jdbc.queryForMap(
                "SELECT agent_last_seen, power_watts, power_at, energy_joules FROM servers WHERE name = 'gpu-1'"))
                .isEqualTo(before);
    }
}
