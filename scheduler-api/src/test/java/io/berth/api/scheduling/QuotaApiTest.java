package io.berth.api.scheduling;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A tenant's quota through the API: set, replaced whole, read, listed by tenant, removed. */
class QuotaApiTest extends ApiTestBase {
    @Test
    void aQuotaIsSetReplacedReadListedAndRemoved() {
        assertThat(put("/api/v1/quotas/team-b", "{\"gpuMilli\":4000,\"cpuMillis\":64000}").status()).isEqualTo(200);
        assertThat(put("/api/v1/quotas/team-a", "{\"cpuMillis\":8000}").status()).isEqualTo(200);
        // a PUT replaces the whole quota: team-b's CPU limit, not given again, is gone
        Response replaced = put("/api/v1/quotas/team-b", "{\"gpuMilli\":1000}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(limit(JsonPath.read(replaced.body(), "$"))).isEqualTo(limit("team-b", 1000, null));

        Response read = get("/api/v1/quotas/team-b");
        assertThat(read.status()).isEqualTo(200);
        assertThat(limit(JsonPath.read(read.body(), "$"))).isEqualTo(limit("team-b", 1000, null));
        List<Map<String, Object>> listed = JsonPath.read(get("/api/v1/quotas").body(), "$");
        assertThat(listed.stream().map(QuotaApiTest::limit).toList())
                .containsExactly(limit("team-a", null, 8000), limit("team-b", 1000, null));

        assertThat(delete("/api/v1/quotas/team-b").status()).isEqualTo(204);
        assertThat(delete("/api/v1/quotas/team-b").status()).isEqualTo(404);
        assertThat(get("/api/v1/quotas/team-b").status()).isEqualTo(404);
        assertThat(JsonPath.<List<String>>read(get("/api/v1/quotas").body(), "$[*].tenant")).containsExactly("team-a");
    }

    /** The three fields of a quota, with an absent field read as null. */
    private static Map<String, Object> limit(Map<String, Object> json) {
        return limit((String) json.get("tenant"), (Integer) json.get("gpuMilli"), (Integer) json.get("cpuMillis"));
    }

    private static Map<String, Object> limit(String tenant, Integer gpuMilli, Integer cpuMillis) {
        Map<String, Object> limit = new HashMap<>();
        limit.put("tenant", tenant);
        limit.put("gpuMilli", gpuMilli);
        limit.put("cpuMillis", cpuMillis);
        return limit;
    }
}
