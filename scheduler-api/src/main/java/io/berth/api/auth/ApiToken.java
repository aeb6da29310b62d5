package io.berth.api.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A row of {@code api_tokens} (V3): only the token's SHA-256 is stored. Stays inside {@link TokenService}, which hands
 * out {@link Caller} and {@link TokenService.TokenInfo} records. Read-only here, written with explicit SQL
 * ({@link ApiTokenRepository}): {@code created_at} and {@code revoked_at} are the database's {@code now()};
 * {@code revoked_at} null = valid.
 */
@Entity
@Table(name = "api_tokens")
@org.hibernate.annotations.Immutable
class ApiToken {
    @Id
    private UUID id;
    private String name;
    @Column(name = "token_hash")
    private byte[] tokenHash;
    @Enumerated(EnumType.STRING)
    private Role role;
    private String tenant;
    private String server;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected ApiToken() {
    }

    Caller caller() {
        return new Caller(name, role, tenant, server);
    }

    TokenService.TokenInfo info() {
        return new TokenService.TokenInfo(id, name, role, tenant, server, createdAt, revokedAt);
    }
}
