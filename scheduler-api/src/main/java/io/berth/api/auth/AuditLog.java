package io.berth.api.auth;

import io.berth.api.db.JpaTransactional;
import io.berth.api.paging.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;

/**
 * Reads the audit log that {@link AuditFilter} writes (one row per mutating or refused request), through Spring Data
 * ({@link AuditRecordRepository}). The filter's insert stays one explicit auto-committed INSERT: it runs on the
 * request path of every mutating call, and a JPA save would add a transaction and a persistence context per request
 * for a row nothing reads back.
 */
@Component
class AuditLog {
    private final AuditRecordRepository repository;

    AuditLog(AuditRecordRepository repository) {
        this.repository = repository;
    }

    /** One row of the log, as the API shows it; {@code at} is the database's time of the insert. */
    record AuditEntry(long id, Instant at, String principal, String role, String tenant, String method, String path,
                      int status, String outcome) {
    }

    /**
     * Page {@code page} (0-based) of {@code size} entries, newest first, with the total count, read in one
     * transaction. A page whose first row lies beyond what JPA can address (offset over {@link Integer#MAX_VALUE}) is
     * empty, as any page past the end is.
     */
    @JpaTransactional(readOnly = true)
    Page<AuditEntry> page(int page, int size) {
        if ((long) page * size > Integer.MAX_VALUE) return new Page<>(List.of(), page, size, repository.count());
        var found = repository.findAll(PageRequest.of(page, size, Sort.by(Sort.Direction.DESC, "id")));
        return new Page<>(found.map(AuditRecord::entry).toList(), page, size, found.getTotalElements());
    }
}
