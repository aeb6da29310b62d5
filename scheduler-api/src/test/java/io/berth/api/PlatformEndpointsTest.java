package io.berth.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAPI and Swagger UI are served on the API port; health and Prometheus on the management port only. */
class PlatformEndpointsTest extends ApiTestBase {

    @Test
    void openApiDescribesTheInventoryApi() {
        Response r = get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("/api/v1/servers", "/api/v1/inventory/import", "/api/v1/topology");
        assertThat(get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    @Test
    void healthAndPrometheusAreOnTheManagementPortOnly() {
        Response health = management("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(management("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(management("/actuator/health/liveness").status()).isEqualTo(200);
        // on the API port there is no actuator, with or without a token
        assertThat(get("/actuator/prometheus").status()).isEqualTo(404);
        String saved = token;
        token = null;
        assertThat(get("/actuator/prometheus").status()).isEqualTo(404);
        token = saved;
        assertThat(management("/actuator/metrics").status()).isEqualTo(401);
        Response prometheus = management("/actuator/prometheus");
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes", "hikaricp_connections",
                "berth_scheduler_cycle_seconds", "berth_scheduler_placements_total", "berth_gpu_allocation_ratio",
                "berth_gpu_fragmentation_ratio", "berth_leader");
    }
}
