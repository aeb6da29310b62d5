package io.berth.api.auth;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A row of {@code audit_log} (V3), read-only here: rows are written by {@link AuditFilter} with one INSERT.
 * Stays inside {@link AuditLog}, which hands out {@link AuditLog.AuditEntry} records.
 */
@Entity
@Table(name = "audit_log")
@org.hibernate.annotations.Immutable
class AuditRecord {
    @Id
    private long id;
    private Instant at;
    private String principal;
    private String role;
    private String tenant;
    private String method;
    private String path;
    private int status;
    private String outcome;

    protected AuditRecord() {
    }

    AuditLog.AuditEntry entry() {
        return new AuditLog.AuditEntry(id, at, principal, role, tenant, method, path, status, outcome);
    }
}
