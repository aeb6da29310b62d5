package io.berth.api.auth;

import io.berth.api.paging.Page;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;

/** Reads the audit log that {@link AuditFilter} writes (one row per mutating or refused request). */
@Component
class AuditLog {
    private final JdbcClient jdbc;

    AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record AuditEntry(long id, Instant at, String principal, String role, String tenant, String method, String path,
                      int status, String outcome) {
    }

    /** One page of entries, newest first, with the total count. */
    Page<AuditEntry> page(int page, int size) {
        List<AuditEntry> items = jdbc.sql("""
                        SELECT id, at, principal, role, tenant, method, path, status, outcome FROM audit_log
                        ORDER BY id DESC LIMIT ? OFFSET ?""").params(size, (long) page * size)
                .query((rs, n) -> new AuditEntry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
                        rs.getString(9))).list();
        long total = jdbc.sql("SELECT count(*) FROM audit_log").query(Long.class).single();
        return new Page<>(items, page, size, total);
    }
}
