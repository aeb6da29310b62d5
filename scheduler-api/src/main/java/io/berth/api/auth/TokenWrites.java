package io.berth.api.auth;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.UUID;

/**
 * The writes of {@code api_tokens} that run in JDBC transactions: storing a token and revoking a server's enrolled
 * agent tokens. Every agent registration with an enrollment token runs both, and a Hibernate session around two SQL
 * statements made registration about 15 % slower (BENCHMARKS.md); the reads and the admin revocation stay on Spring
 * Data ({@link ApiTokenRepository}).
 */
@Repository
class TokenWrites {
    private final JdbcClient jdbc;

    TokenWrites(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a token unless one with the same hash exists (then nothing changes). ON CONFLICT on purpose: the bootstrap
     * tokens are stored again at every start, possibly by several replicas at once, and only it makes that idempotent
     * without a race between a lookup and an insert.
     */
    void insertUnlessPresent(UUID id, String name, byte[] hash, Role role, String tenant, String server) {
        jdbc.sql("""
                        INSERT INTO api_tokens (id, name, token_hash, role, tenant, server) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (token_hash) DO NOTHING""")
                .params(id, name, hash, role.name(), tenant, server).update();
    }

    /** Revokes the valid agent tokens of this name bound to the server; their hashes. */
    List<byte[]> revokeAgentTokens(String server, String name) {
        return jdbc.sql("""
                        UPDATE api_tokens SET revoked_at = now()
                        WHERE role = 'AGENT' AND server = ? AND name = ? AND revoked_at IS NULL
                        RETURNING token_hash""")
                .params(server, name).query((rs, n) -> rs.getBytes(1)).list();
    }
}
