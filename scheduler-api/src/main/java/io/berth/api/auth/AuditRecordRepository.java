package io.berth.api.auth;

import org.springframework.data.jpa.repository.JpaRepository;

/** {@code audit_log}, read by {@link AuditLog} only. */
interface AuditRecordRepository extends JpaRepository<AuditRecord, Long> {
}
