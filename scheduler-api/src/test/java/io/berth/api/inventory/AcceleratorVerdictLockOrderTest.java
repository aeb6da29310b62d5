package io.berth.api.inventory;

import io.berth.api.ApiTestBase;
import io.berth.core.inventory.AcceleratorHealth;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A verdict on an accelerator (the health policy's or an operator's) and a placement on the same server take their
 * row locks in the same order, the server row first, so they cannot deadlock. A placement's reservation share-locks
 * its servers and then their accelerators ({@code scheduling.UsageCounters}). Here a transaction holds the server
 * row's share lock as a placement does, the verdict runs on another connection and waits for it, and while it waits
 * the placement can still share-lock the accelerator without waiting (NOWAIT): a verdict that took the accelerator row
 * first would hold it, and the placement would fail here (in production: wait, then one of the two deadlocks).
 */
class AcceleratorVerdictLockOrderTest extends ApiTestBase {
    @Autowired
    DataSource dataSource;

    long serverId;

    @BeforeEach
    void server() {
        jdbc.update("INSERT INTO servers (name, rack, cpu_millis, memory_mib) VALUES ('v-1', 'default', 8000, 1024)");
        serverId = jdbc.queryForObject("SELECT id FROM servers WHERE name = 'v-1'", Long.class);
        jdbc.update("INSERT INTO accelerators (server_id, idx, kind, model, memory_mib) VALUES (?, 0, 'GPU', 'H100', 81920)",
                serverId);
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
                arguments("the health policy fails the GPU", (BiConsumer<ServerStatus, Long>) (status, id) ->
                        status.acceleratorFailed(id, 0, "XID 79: fell off the bus")),
                arguments("an operator sets the GPU's health", (BiConsumer<ServerStatus, Long>) (status, id) ->
                        assertThat(status.setAcceleratorHealth("v-1", 0, AcceleratorHealth.UNHEALTHY, true,
                                "XID 79: fell off the bus")).isTrue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void aVerdictWaitsForThePlacementsServerLockAndHoldsNoAcceleratorLockMeanwhile(
            String name, BiConsumer<ServerStatus, Long> verdict) throws Exception {
        long versionBefore = jdbc.queryForObject("SELECT version FROM servers WHERE id = ?", Long.class, serverId);
        try (Connection placement = begin(); Connection health = begin()) {
            // what a reservation takes first: the server row, shared
            query(placement, "SELECT id FROM servers WHERE id = " + serverId + " FOR SHARE");
            int healthPid = pid(health);
            CompletableFuture<Void> change = CompletableFuture.runAsync(() -> {
                try {
                    verdict.accept(new ServerStatus(JdbcClient.create(new SingleConnectionDataSource(health, true))),
                            serverId);
                    health.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> change.isDone() || waitingForALock(healthPid));
                assertThat(change).as("the verdict waits for the placement's server lock").isNotDone();
                // what the reservation takes next: the accelerator row, shared; NOWAIT fails if the verdict holds it
                query(placement, "SELECT idx FROM accelerators WHERE server_id = " + serverId
                        + " AND idx = 0 FOR SHARE NOWAIT");
                placement.commit();
                change.get(10, TimeUnit.SECONDS);
            } finally {
                placement.rollback();
                change.handle((ok, e) -> null).get(15, TimeUnit.SECONDS);
                health.rollback();
            }
        }
        assertThat(jdbc.queryForList("SELECT health, health_latched, health_reason FROM accelerators WHERE server_id = ?",
                serverId)).containsExactly(java.util.Map.of("health", "UNHEALTHY", "health_latched", true,
                "health_reason", "XID 79: fell off the bus"));
        assertThat(jdbc.queryForObject("SELECT version FROM servers WHERE id = ?", Long.class, serverId))
                .isEqualTo(versionBefore + 1);
    }

    /** A transaction on its own connection that gives up on a lock after 10 s rather than hang the build. */
    private Connection begin() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '10s'");
        }
        return c;
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private boolean waitingForALock(int pid) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock')",
                Boolean.class, pid));
    }
}
