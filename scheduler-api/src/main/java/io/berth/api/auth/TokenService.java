package io.berth.api.auth;

import io.berth.api.db.JpaTransactional;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.github.benmanes.caffeine.cache.Cache;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues and checks Berth bearer tokens. A token is {@code berth_} + 32 random bytes (base64url); only its SHA-256
 * is stored, so a database dump reveals no usable token. Lookups are cached (30 s for a known token, 5 s for an
 * unknown one; heartbeats from thousands of agents); a revocation on this replica takes effect at once (the revoked
 * entries are dropped again after the commit), on another within 30 s. The caches are bounded by size and time and
 * keyed by the token's hash, never the token itself: known tokens (at most {@value #KNOWN_ENTRIES}) and a small negative cache of unknown ones (at
 * most {@value #UNKNOWN_ENTRIES}), so that a stream of invalid or huge tokens cannot grow the heap.
 * <p>
 * On Spring Data JPA ({@link ApiTokenRepository}), in transactions of the JPA manager: every caller (the security
 * filter, the token and agent controllers, the start-up bootstrap) calls it outside any JDBC transaction, and it must
 * stay so (see {@link io.berth.api.db.JpaConfiguration}).
 */
@Service
public class TokenService {
    static final int KNOWN_ENTRIES = 20_000;
    static final int UNKNOWN_ENTRIES = 1_000;
    /** Longer bearer values are not Berth tokens (they are ~50 characters); they are refused without a lookup. */
    static final int MAX_TOKEN_CHARS = 1_024;
    /**
     * How long a known token is trusted without a lookup: longer than agents' heartbeat interval, so that a heartbeat
     * seldom costs a query; a revocation on another replica takes effect within it.
     */
    private static final Duration KNOWN_TIME = Duration.ofSeconds(30);
    /** How long an unknown token is remembered as unknown: a token issued on another replica works after it. */
    private static final Duration UNKNOWN_TIME = Duration.ofSeconds(5);
    private final ApiTokenRepository repository;
    private final TokenWrites writes;
    private final SecureRandom random = new SecureRandom();
    private final Cache<ByteBuffer, Caller> known = Caffeine.newBuilder().maximumSize(KNOWN_ENTRIES)
            .expireAfterWrite(KNOWN_TIME).build();
    private final Cache<ByteBuffer, Boolean> unknown = Caffeine.newBuilder().maximumSize(UNKNOWN_ENTRIES)
            .expireAfterWrite(UNKNOWN_TIME).build();

    TokenService(ApiTokenRepository repository, TokenWrites writes) {
        this.repository = repository;
        this.writes = writes;
    }

    /** A newly issued token: the secret is shown once and never stored. */
    public record Issued(UUID id, String name, Role role, String tenant, String server, String token) {
    }

    /** What is stored about a token. */
    public record TokenInfo(UUID id, String name, Role role, String tenant, String server, Instant createdAt,
                            Instant revokedAt) {
    }

    @Transactional
    public Issued issue(String name, Role role, String tenant, String server) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = "berth_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return store(name, role, tenant, server, token);
    }

    /** Stores a token chosen by the operator (e.g. the bootstrap admin token from a Kubernetes Secret). */
    @Transactional
    public Issued store(String name, Role role, String tenant, String server, String token) {
        UUID id = UUID.randomUUID();
        writes.insertUnlessPresent(id, name, hash(token), role, tenant, server);
        unknown.invalidate(ByteBuffer.wrap(hash(token)));
        return new Issued(id, name, role, tenant, server, token);
    }

    public Optional<Caller> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) return Optional.empty();
        byte[] hash = hash(token);
        ByteBuffer key = ByteBuffer.wrap(hash);
        Caller cached = known.getIfPresent(key);
        if (cached != null) return Optional.of(cached);
        if (unknown.getIfPresent(key) != null) return Optional.empty();
        Optional<Caller> caller = repository.findByTokenHashAndRevokedAtIsNull(hash).map(ApiToken::caller);
        if (caller.isPresent()) known.put(key, caller.get());
        else unknown.put(key, Boolean.TRUE);
        return caller;
    }

    /** Entries held by the lookup caches (known, unknown), for tests and diagnostics. */
    long[] cachedEntries() {
        known.cleanUp();
        unknown.cleanUp();
        return new long[]{known.estimatedSize(), unknown.estimatedSize()};
    }

    /**
     * Forgets the revoked tokens now and again after the commit: a lookup running concurrently with the revoking
     * transaction may still read the row as valid and cache it.
     */
    private void forget(List<byte[]> hashes) {
        List<ByteBuffer> keys = hashes.stream().map(ByteBuffer::wrap).toList();
        known.invalidateAll(keys);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    known.invalidateAll(keys);
                }
            });
        }
    }

    /**
     * A token bound to {@code server} for an agent that registered with an enrollment token. Earlier enrolled tokens
     * of that server are revoked, so a restarted agent does not leave valid tokens behind.
     */
    @Transactional
    public Issued enroll(String server) {
        forget(writes.revokeAgentTokens(server, "enrolled:" + server));
        return issue("enrolled:" + server, Role.AGENT, null, server);
    }

    /** Oldest first. */
    @JpaTransactional(readOnly = true)
    public List<TokenInfo> list() {
        return repository.findAll(Sort.by("createdAt")).stream().map(ApiToken::info).toList();
    }

    @JpaTransactional
    public boolean revoke(UUID id) {
        List<byte[]> revoked = repository.revoke(id);
        forget(revoked);
        return !revoked.isEmpty();
    }

    public boolean anyActiveAdmin() {
        return repository.existsByRoleAndRevokedAtIsNull(Role.ADMIN);
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
