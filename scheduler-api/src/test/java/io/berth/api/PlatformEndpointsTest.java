package io.berth.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAPI, Swagger UI, health and Prometheus are served. */
class PlatformEndpointsTest extends ApiTestBase {

    @Test
    void openApiDescribesTheInventoryApi() {
        Response r = get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("/api/v1/servers", "/api/v1/inventory/import", "/api/v1/topology");
        assertThat(get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    @Test
    void healthAndPrometheusAreExposed() {
        Response health = get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(get("/actuator/health/readiness").status()).isEqualTo(200);
        Response prometheus = get("/actuator/prometheus");
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes", "hikaricp_connections",
                "berth_scheduler_cycle_seconds", "berth_scheduler_placements_total", "berth_gpu_allocation_ratio",
                "berth_gpu_fragmentation_ratio", "berth_leader");
    }
}
