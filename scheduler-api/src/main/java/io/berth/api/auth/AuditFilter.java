package io.berth.api.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes one audit row per mutating call (POST, PUT, PATCH, DELETE): who, what (method and path), when, status and
 * outcome, including denied calls. Runs inside the security chain after authentication. The agents' data-plane
 * calls (heartbeats, metrics, logs) are not audited: they are high-volume telemetry, not decisions.
 * Never records headers or bodies, so no token or secret reaches the log.
 */
@Component
class AuditFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern TELEMETRY = Pattern.compile("^/api/v1/agents/[^/]+/(heartbeat|workers/.*)$");

    private final JdbcClient jdbc;

    AuditFilter(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !MUTATING.contains(request.getMethod()) || !path.startsWith("/api/") || TELEMETRY.matcher(path).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        try {
            chain.doFilter(request, response);
        } finally {
            write(auth, request, response.getStatus());
        }
    }

    private void write(Authentication auth, HttpServletRequest request, int status) {
        String principal = "anonymous";
        String role = null;
        String tenant = null;
        if (auth != null && auth.getPrincipal() instanceof Caller c) {
            principal = c.name();
            role = c.role().name();
            tenant = c.tenant();
        }
        String outcome = status == 401 || status == 403 ? "DENIED" : status >= 400 ? "FAILED" : "SUCCESS";
        String path = request.getRequestURI();
        try {
            jdbc.sql("""
                            INSERT INTO audit_log (principal, role, tenant, method, path, status, outcome)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""")
                    .params(principal, role, tenant, request.getMethod(), path.length() > 2000 ? path.substring(0, 2000) : path,
                            status, outcome).update();
        } catch (RuntimeException e) {
            log.error("audit row not written for {} {} by {}: {}", request.getMethod(), path, principal, e.getMessage());
        }
    }
}
