package io.berth.api.auth;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.web.Logs;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes one audit row per mutating call (POST, PUT, PATCH, DELETE) under /api: who, what (method and path), when,
 * status and outcome, including calls denied for a missing or invalid token (principal {@code anonymous} or
 * {@code invalid-token}) or for the role. Runs in the security chain before the bearer token is checked, and reads
 * the caller after the call. The agents' data-plane calls (heartbeats, metrics, logs) are not audited: they are
 * high-volume telemetry, not decisions. Requests refused before the security chain (a malformed path or
 * Content-Type, a body over the size limit) are not audited either.
 * <p>
 * Bounded: a path is stored up to {@value #MAX_PATH_CHARS} characters; rows of callers without a valid token are
 * written at most {@code berth.auth.audit-unauthenticated-per-minute} (default 60) per minute and replica, the rest
 * are counted in a WARN log line, so anonymous traffic cannot grow the table without limit.
 * Never records headers or bodies, so no token or secret reaches the log.
 */
@Component
class AuditFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern TELEMETRY = Pattern.compile("^/api/v1/agents/[^/]+/(heartbeat|workers/.*)$");
    static final int MAX_PATH_CHARS = 256;

    private final JdbcClient jdbc;
    private final int unauthenticatedPerMinute;
    private long windowStart;
    private int writtenInWindow;
    private long droppedInWindow;

    AuditFilter(JdbcClient jdbc, @Value("${berth.auth.audit-unauthenticated-per-minute:60}") int unauthenticatedPerMinute) {
        if (unauthenticatedPerMinute < 0)
            throw new IllegalStateException("berth.auth.audit-unauthenticated-per-minute must be >= 0");
        this.jdbc = jdbc;
        this.unauthenticatedPerMinute = unauthenticatedPerMinute;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !MUTATING.contains(request.getMethod()) || !path.startsWith("/api/") || TELEMETRY.matcher(path).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (RuntimeException | ServletException | IOException e) {
            // a database outage is answered 503 further out; there is no database to audit into meanwhile, and
            // trying would keep each such answer waiting for a connection once more
            if (!DatabaseOutage.is(e)) write(SecurityContextHolder.getContext().getAuthentication(), request, 500);
            throw e;
        }
        if (response.getStatus() != 503)
            write(SecurityContextHolder.getContext().getAuthentication(), request, response.getStatus());
    }

    private void write(Authentication auth, HttpServletRequest request, int status) {
        String principal;
        String role = null;
        String tenant = null;
        if (auth != null && auth.getPrincipal() instanceof Caller c) {
            principal = c.name();
            role = c.role().name();
            tenant = c.tenant();
        } else {
            principal = request.getHeader("Authorization") == null ? "anonymous" : "invalid-token";
            if (!admitUnauthenticated()) return;
        }
        String outcome = status == 401 || status == 403 ? "DENIED" : status >= 400 ? "FAILED" : "SUCCESS";
        String path = request.getRequestURI();
        if (path.length() > MAX_PATH_CHARS) path = path.substring(0, MAX_PATH_CHARS - 3) + "...";
        try {
            jdbc.sql("""
                            INSERT INTO audit_log (principal, role, tenant, method, path, status, outcome)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""")
                    .params(principal, role, tenant, request.getMethod(), path, status, outcome).update();
        } catch (RuntimeException e) {
            log.error("audit row not written for {} {} by {}: {}", request.getMethod(), Logs.escape(path),
                    Logs.escape(principal), Logs.escape(e.getMessage()));
        }
    }

    /** Whether a row for a caller without a valid token may be written in this minute. */
    private synchronized boolean admitUnauthenticated() {
        long now = System.currentTimeMillis();
        if (now - windowStart >= 60_000) {
            if (droppedInWindow > 0)
                log.warn("{} audit rows of calls without a valid token were not written in the last minute (limit {})",
                        droppedInWindow, unauthenticatedPerMinute);
            windowStart = now;
            writtenInWindow = 0;
            droppedInWindow = 0;
        }
        if (writtenInWindow < unauthenticatedPerMinute) {
            writtenInWindow++;
            return true;
        }
        droppedInWindow++;
        return false;
    }
}
