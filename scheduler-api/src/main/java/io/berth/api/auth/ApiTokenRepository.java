package io.berth.api.auth;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@code api_tokens}: reads and the admin revocation; the writes of issuing and enrolling are {@link TokenWrites}. */
interface ApiTokenRepository extends JpaRepository<ApiToken, UUID> {
    /** The valid token with this SHA-256, if any. */
    Optional<ApiToken> findByTokenHashAndRevokedAtIsNull(byte[] tokenHash);

    boolean existsByRoleAndRevokedAtIsNull(Role role);

    /**
     * Revokes the valid token with this id and returns its hash (none when there is no such valid token). Explicit SQL:
     * one UPDATE ... RETURNING at the database's time decides which of two concurrent revocations found the token
     * valid, where a JPA read and a flush would need a lock first.
     */
    @Query(value = """
            UPDATE api_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL
            RETURNING token_hash""", nativeQuery = true)
    List<byte[]> revoke(@Param("id") UUID id);
}
