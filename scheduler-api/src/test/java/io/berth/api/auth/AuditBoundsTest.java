package io.berth.api.auth;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Denied calls are audited whatever the reason, and the audit log cannot be grown without bound by anonymous calls. */
class AuditBoundsTest extends ApiTestBase {
    @Autowired
    JdbcClient jdbcClient;

    @Test
    void callsWithoutAValidTokenAreAuditedAsDenied() {
        token = null;
        assertThat(postJson("/api/v1/servers", "{}").status()).isEqualTo(401);
        token = "berth_not-a-token";
        assertThat(postJson("/api/v1/servers", "{}").status()).isEqualTo(401);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE role IS NOT NULL", Long.class)).isZero();
        assertThat(jdbc.queryForList("SELECT principal, method, path, status, outcome FROM audit_log ORDER BY id"))
                .containsExactly(
                        Map.of("principal", "anonymous", "method", "POST", "path", "/api/v1/servers", "status", 401,
                                "outcome", "DENIED"),
                        Map.of("principal", "invalid-token", "method", "POST", "path", "/api/v1/servers", "status", 401,
                                "outcome", "DENIED"));
    }

    @Test
    void longPathsAreCut() {
        token = null;
        String path = "/api/v1/servers/" + "a".repeat(2_000) + "/cordon";
        assertThat(post(path, "application/json", "").status()).isEqualTo(401);
        String stored = jdbc.queryForObject("SELECT path FROM audit_log", String.class);
        // 253 characters of the path and "..."
        assertThat(stored).hasSize(256).isEqualTo(path.substring(0, 253) + "...");
    }

    @Test
    void unauthenticatedRowsAreLimitedPerMinute() throws Exception {
        AuditFilter limited = new AuditFilter(jdbcClient, 3);
        for (int i = 0; i < 10; i++) {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/jobs");
            MockHttpServletResponse response = new MockHttpServletResponse();
            response.setStatus(401);
            limited.doFilter(request, response, new MockFilterChain());
        }
        // 10 calls in one minute with a limit of 3
        assertThat(jdbc.queryForList("SELECT principal FROM audit_log", String.class))
                .isEqualTo(List.of("anonymous", "anonymous", "anonymous"));
    }
}
