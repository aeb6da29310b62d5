package io.berth.api.auth;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@code api_tokens}; used by {@link TokenService} only, which owns the transactions. */
interface ApiTokenRepository extends JpaRepository<ApiToken, UUID> {
    /** The valid token with this SHA-256, if any. */
    Optional<ApiToken> findByTokenHashAndRevokedAtIsNull(byte[] tokenHash);

    boolean existsByRoleAndRevokedAtIsNull(Role role);

    /**
     * Stores a token unless one with the same hash exists (then nothing changes; 0 rows). Explicit SQL on purpose: the
     * bootstrap tokens are stored again at every start, possibly by several replicas at once, and only ON CONFLICT
     * makes that idempotent without a race between a lookup and an insert.
     */
    @Modifying
    @Query(value = """
            INSERT INTO api_tokens (id, name, token_hash, role, tenant, server)
            VALUES (:id, :name, :hash, :role, :tenant, :server)
            ON CONFLICT (token_hash) DO NOTHING""", nativeQuery = true)
    int insertUnlessPresent(@Param("id") UUID id, @Param("name") String name, @Param("hash") byte[] hash,
                            @Param("role") String role, @Param("tenant") String tenant, @Param("server") String server);

    /**
     * Revokes the valid token with this id and returns its hash (none when there is no such valid token). Explicit SQL:
     * one UPDATE ... RETURNING at the database's time decides which of two concurrent revocations found the token
     * valid, where a JPA read and a flush would need a lock first.
     */
    @Query(value = """
            UPDATE api_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL
            RETURNING token_hash""", nativeQuery = true)
    List<byte[]> revoke(@Param("id") UUID id);

    /** Revokes the valid tokens of an agent's server with this name, likewise; their hashes. */
    @Query(value = """
            UPDATE api_tokens SET revoked_at = now()
            WHERE role = 'AGENT' AND server = :server AND name = :name AND revoked_at IS NULL
            RETURNING token_hash""", nativeQuery = true)
    List<byte[]> revokeAgentTokens(@Param("server") String server, @Param("name") String name);
}
