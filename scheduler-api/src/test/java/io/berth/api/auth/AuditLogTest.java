package io.berth.api.auth;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit log read back through the API (pages, newest first) and the token list after a revocation. */
class AuditLogTest extends ApiTestBase {
    @Test
    void theAuditLogIsPagedNewestFirst() {
        for (int i = 1; i <= 5; i++)
            assertThat(put("/api/v1/quotas/t" + i, "{\"gpuMilli\":1000}").status()).isEqualTo(200);

        // 5 rows, pages of 2: [t5, t4], [t3, t2], [t1]
        Response second = get("/api/v1/audit?page=1&size=2");
        assertThat(second.status()).isEqualTo(200);
        assertThat(JsonPath.<List<String>>read(second.body(), "$.items[*].path"))
                .containsExactly("/api/v1/quotas/t3", "/api/v1/quotas/t2");
        assertThat(JsonPath.<Map<String, Object>>read(second.body(), "$")).containsEntry("page", 1)
                .containsEntry("size", 2).containsEntry("total", 5);
        Map<String, Object> entry = JsonPath.read(second.body(), "$.items[0]");
        assertThat(entry).containsOnlyKeys("id", "at", "principal", "role", "tenant", "method", "path", "status",
                        "outcome").containsEntry("principal", "test-admin").containsEntry("role", "ADMIN")
                .containsEntry("tenant", null).containsEntry("method", "PUT").containsEntry("status", 200)
                .containsEntry("outcome", "SUCCESS");

        assertThat(JsonPath.<List<String>>read(get("/api/v1/audit?page=2&size=2").body(), "$.items[*].path"))
                .containsExactly("/api/v1/quotas/t1");
        // far past the end (offset 2,147,483,647,000): an empty page, still counting every row
        Response far = get("/api/v1/audit?page=2147483647&size=1000");
        assertThat(far.status()).isEqualTo(200);
        assertThat(JsonPath.<List<Object>>read(far.body(), "$.items")).isEmpty();
        assertThat(JsonPath.<Integer>read(far.body(), "$.total")).isEqualTo(5);
    }

    @Test
    void aRevokedTokenIsListedWithItsRevocationTimeAndCannotBeRevokedAgain() {
        String id = JsonPath.read(postJson("/api/v1/tokens", "{\"name\":\"short-lived\",\"role\":\"OPERATOR\"}").body(),
                "$.id");
        assertThat(delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
        assertThat(delete("/api/v1/tokens/" + id).status()).isEqualTo(404);

        List<Map<String, Object>> listed = JsonPath.read(get("/api/v1/tokens").body(), "$[?(@.id == '" + id + "')]");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0)).containsEntry("name", "short-lived").containsEntry("role", "OPERATOR")
                .containsEntry("tenant", null).containsEntry("server", null);
        assertThat((String) listed.get(0).get("createdAt")).isNotBlank();
        assertThat((String) listed.get(0).get("revokedAt")).isNotBlank();
    }
}
