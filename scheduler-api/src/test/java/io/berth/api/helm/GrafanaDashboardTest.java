package io.berth.api.helm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** dashboards/berth.json is valid Grafana JSON and charts every metric the control plane exports. */
class GrafanaDashboardTest {
    private static JsonNode dashboard;
    private static List<String> expressions;

    @BeforeAll
    static void read() throws IOException {
        dashboard = JsonMapper.builder().build()
                .readTree(Files.readString(RenderedChart.chartDir().resolve("dashboards/berth.json")));
        expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                expressions.add(target.get("expr").asString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"berth_queue_depth", "berth_scheduler_cycle_seconds_bucket",
            "berth_scheduler_cycle_seconds_count", "berth_scheduler_cycle_seconds_sum",
            "rate(berth_scheduler_placements_total", "berth_gpu_allocation_ratio", "berth_gpu_fragmentation_ratio",
            "berth_jobs{", "berth_agent_heartbeat_lag_seconds", "berth_leader", "berth_power_it_watts",
            "berth_power_facility_watts", "berth_power_rack_watts", "increase(berth_energy_it_joules_total"})
    void someQueryUsesMetric(String metric) {
        assertThat(expressions).anyMatch(e -> e.contains(metric));
    }

    @Test
    void panelsHaveUniqueIdsAPositionAndTheDatasourceVariable() {
        List<Integer> ids = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            ids.add(panel.get("id").asInt());
            assertThat(panel.get("gridPos").get("w").asInt()).isBetween(1, 24);
            assertThat(panel.get("datasource").get("uid").asString()).isEqualTo("${datasource}");
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(dashboard.get("uid").asString()).isEqualTo("berth-scheduler");
        assertThat(dashboard.get("templating").get("list").get(0).get("type").asString()).isEqualTo("datasource");
    }
}
