package io.berth.api.inventory;

import io.berth.api.db.JpaTransactional;
import io.berth.api.errors.FieldError;
import io.berth.api.errors.NotFound;
import io.berth.api.paging.Page;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import jakarta.persistence.EntityManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;

import java.sql.SQLException;
import java.util.List;

/**
 * The REST API's servers on Spring Data JPA, in transactions of the JPA manager: the listing (filters as a
 * {@code Specification}, paging as a {@code Pageable}, each page's parts in one query per kind), one server, and the
 * single-server writes (create, replace, delete, state changes, drain). Called by {@code ServerController} only,
 * outside any transaction; entities never leave it, it hands out {@link ServerView} records.
 * <p>
 * Explicit SQL still runs inside these transactions, on their connection, where it must settle things in the
 * database: {@link ServerRepository#lockHoldings} locks the server row (and its usage) before a replacement or a
 * deletion reads it, so no placement, release or heartbeat changes it in between; the drain decides DRAINING or
 * DRAINED from the workers (the jobs feature's table) in its one UPDATE; the reference checks
 * ({@link InventoryChecks}) and the links a deletion removes. What runs inside the JDBC transactions of other
 * features (agent registration, node sync, the health policy's drain, the import) stays {@link InventoryService}'s.
 */
@Service
class ServerService {
    private static final String UNIQUE_VIOLATION = "23505";
    private final StoredServerRepository servers;
    private final EntityManager entities;
    private final ServerRepository sql;
    private final TopologyRepository topology;
    private final InventoryChecks checks;
    private final long heartbeatTimeoutSeconds;

    ServerService(StoredServerRepository servers, EntityManager entities, ServerRepository sql, TopologyRepository topology,
                  InventoryChecks checks,
                  @Value("${berth.scheduler.heartbeat-timeout-seconds:15}") long heartbeatTimeoutSeconds) {
        this.servers = servers;
        this.entities = entities;
        this.sql = sql;
        this.topology = topology;
        this.checks = checks;
        this.heartbeatTimeoutSeconds = heartbeatTimeoutSeconds;
    }

    /** Servers ordered by name; {@code page} 0-based. A page past the last one is empty (with the total). */
    @JpaTransactional(readOnly = true)
    Page<ServerView> servers(ServerFilter filter, int page, int size) {
        var matching = StoredServerRepository.matching(filter);
        if ((long) page * size > Integer.MAX_VALUE) // past what JPA can skip, and past any real inventory
            return new Page<>(List.of(), page, size, servers.count(matching));
        var found = servers.findAll(matching, PageRequest.of(page, size, Sort.by("name")));
        return new Page<>(found.getContent().stream().map(this::view).toList(), page, size, found.getTotalElements());
    }

    @JpaTransactional(readOnly = true)
    ServerView server(String name) {
        return servers.findByName(name).map(this::view).orElseThrow(() -> NotFound.of("server", name));
    }

    /** Creates the server as an operator describes it; 409 "already exists" when the name is taken. */
    @JpaTransactional
    ServerView create(ServerSpec spec) {
        checks.validateServer(spec);
        saveNew(StoredServer.of(spec.toServer(), HardwareSource.OPERATOR));
        entities.clear(); // the answer is the row as stored (labels in the database's order, its times)
        return server(spec.name());
    }

    /**
     * Creates or replaces the server as an operator describes it; returns true when it was created. Usage counters
     * are kept (accelerators are updated in place); a replacement that would remove or shrink a resource jobs hold is
     * refused with a 409 naming the resources and their holders, and nothing changes. Concurrent PUTs of one name
     * take turns on the name's lock, so the first creates and the others replace (no row to lock yet when the server
     * is new).
     */
    @JpaTransactional
    boolean put(ServerSpec spec) {
        checks.validateServer(spec);
        Server server = spec.toServer();
        sql.lockName(server.name());
        Holdings held = sql.lockHoldings(List.of(server.name())).get(server.name());
        if (held != null) {
            List<FieldError> refused = held.refusals(server, "");
            if (!refused.isEmpty()) throw InventoryConflict.inUse(refused);
        }
        // read after the lock: what is replaced is what is stored now
        StoredServer stored = servers.findByName(server.name()).orElse(null);
        if (stored == null) {
            saveNew(StoredServer.of(server, HardwareSource.OPERATOR));
            return true;
        }
        stored.replaceWith(server, HardwareSource.OPERATOR);
        servers.flush();
        return false;
    }

    /** Sets the state with its reason (null: none given; READY clears it). */
    @JpaTransactional
    ServerView changeState(String name, ServerState state, String reason) {
        if (servers.updateState(name, state.name(), state == ServerState.READY ? null : reason) == 0)
            throw NotFound.of("server", name);
        return server(name);
    }

    /**
     * Drains the server ({@link InventoryService#drain}: DRAINING while a worker is active on it, else DRAINED at
     * once). Explicit SQL: one UPDATE reads the workers (the jobs feature's table, not mapped here), so a worker
     * committed meanwhile cannot slip between the check and the write.
     */
    @JpaTransactional
    ServerView drain(String name, String reason) {
        if (!sql.drain(name, reason)) throw NotFound.of("server", name);
        return server(name);
    }

    /** Deletes the server and the links to it; 409 naming the holders while jobs hold any of its resources. */
    @JpaTransactional
    void delete(String name) {
        Holdings held = sql.lockHoldings(List.of(name)).get(name);
        if (held != null && held.inUse())
            throw InventoryConflict.inUse(List.of(new FieldError("name", "server " + name + " is held by "
                    + held.holders(h -> true))));
        if (servers.deleteByName(name) == 0) throw NotFound.of("server", name);
        topology.deleteLinksOf(name);
    }

    /**
     * Inserts the server with its parts at once. A taken name is a {@link DuplicateKeyException}, answered 409 "a
     * resource with this name already exists" as every create of a named object is (the JDBC translation says so;
     * Hibernate's calls a unique violation a plain integrity violation).
     */
    private void saveNew(StoredServer server) {
        try {
            servers.save(server);
            servers.flush();
        } catch (DataIntegrityViolationException e) {
            if (e.getMostSpecificCause() instanceof SQLException cause && UNIQUE_VIOLATION.equals(cause.getSQLState()))
                throw new DuplicateKeyException(cause.getMessage(), e);
            throw e;
        }
    }

    private ServerView view(StoredServer server) {
        return server.view(heartbeatTimeoutSeconds);
    }
}
