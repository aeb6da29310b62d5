package io.berth.api.scheduling;

import io.berth.api.ApiTestBase;
import io.berth.api.jobs.HeldResources;
import io.berth.api.jobs.WorkerRow;
import io.berth.core.placement.Assignment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The usage counters of V18 (server_usage, accelerator_usage) against direct SQL: every server and accelerator has
 * its row from the statement that inserts it, the database refuses over-allocation and a capacity below what is held
 * (the capacity copy follows the server in the same statement), and deleting the inventory deletes the counters.
 * The reservation both placement commits use (one job, or a batch) sums the demand and names what it refuses.
 * A reservation in flight and a change of the server's state or capacity are ordered by row locks, as when the
 * counters were columns of the server row (two connections, the waiting one with a lock timeout).
 */
class UsageCountersTest extends ApiTestBase {
    @Autowired
    DataSource dataSource;

    @BeforeEach
    void server() {
        // two servers in one statement: the statement-level trigger creates a row for each
        jdbc.update("INSERT INTO servers (name, rack, cpu_millis, memory_mib, network_mbps) "
                + "VALUES ('u-1', 'default', 8000, 1024, 100), ('u-2', 'default', 1000, 1, 0)");
        jdbc.update("INSERT INTO accelerators (server_id, idx, kind, model, memory_mib) "
                + "SELECT id, g, 'GPU', 'H100', 81920 FROM servers, generate_series(0, 1) g WHERE name = 'u-1'");
    }

    private String usage() {
        return jdbc.queryForObject("""
                SELECT string_agg(s.name || ' ' || u.cpu_millis_used || '/' || u.cpu_millis || ' '
                    || u.memory_mib_used || '/' || u.memory_mib || ' ' || u.network_mbps_used || '/' || u.network_mbps
                    || ' gpus=' || coalesce((SELECT string_agg(a.idx || ':' || a.used_milli, ',' ORDER BY a.idx)
                                             FROM accelerator_usage a WHERE a.server_id = s.id), '-'), '; ' ORDER BY s.name)
                FROM servers s JOIN server_usage u ON u.server_id = s.id""", String.class);
    }

    @Test
    void everyServerAndAcceleratorHasItsCountersFromTheStart() {
        assertThat(usage()).isEqualTo("u-1 0/8000 0/1024 0/100 gpus=0:0,1:0; u-2 0/1000 0/1 0/0 gpus=-");
    }

    @Test
    void theDatabaseRefusesOverAllocationAndShrinkingBelowWhatIsHeld() {
        jdbc.update("UPDATE server_usage SET cpu_millis_used = 6000, memory_mib_used = 512, network_mbps_used = 100 "
                + "WHERE server_id = (SELECT id FROM servers WHERE name = 'u-1')");
        jdbc.update("UPDATE accelerator_usage SET used_milli = 1000 WHERE idx = 0");
        for (String sql : new String[]{
                "UPDATE server_usage SET cpu_millis_used = 8001",
                "UPDATE server_usage SET memory_mib_used = memory_mib_used - 513",
                "UPDATE server_usage SET network_mbps_used = 101 WHERE network_mbps = 100",
                "UPDATE accelerator_usage SET used_milli = used_milli + 1",
                "UPDATE servers SET cpu_millis = 5999 WHERE name = 'u-1'",
                "UPDATE servers SET memory_mib = 511 WHERE name = 'u-1'",
                "UPDATE servers SET network_mbps = 99 WHERE name = 'u-1'"}) {
            assertThatThrownBy(() -> jdbc.update(sql)).as(sql).isInstanceOf(DataIntegrityViolationException.class);
        }
        // growing, or shrinking down to what is held, is fine and the copy follows; network 0 means not counted
        jdbc.update("UPDATE servers SET cpu_millis = 6000, memory_mib = 4096, network_mbps = 0 WHERE name = 'u-1'");
        jdbc.update("INSERT INTO servers (name, rack, cpu_millis, memory_mib) VALUES ('u-1', 'default', 7000, 512) "
                + "ON CONFLICT (name) DO UPDATE SET cpu_millis = excluded.cpu_millis, memory_mib = excluded.memory_mib");
        assertThat(usage()).isEqualTo("u-1 6000/7000 512/512 100/0 gpus=0:1000,1:0; u-2 0/1000 0/1 0/0 gpus=-");
    }

    @Test
    void deletingTheInventoryDeletesItsCountersButNotAHeldGpu() {
        jdbc.update("UPDATE accelerator_usage SET used_milli = 500 WHERE idx = 1");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM servers WHERE name = 'u-1'"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(jdbc.update("DELETE FROM accelerators WHERE idx = 0")).isEqualTo(1);
        jdbc.update("UPDATE accelerator_usage SET used_milli = 0");
        assertThat(jdbc.update("DELETE FROM servers WHERE name = 'u-1'")).isEqualTo(1);
        assertThat(usage()).isEqualTo("u-2 0/1000 0/1 0/0 gpus=-");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM accelerator_usage", Long.class)).isZero();
    }

    private static WorkerRow worker(long cpuMillis) {
        return worker("u-1", List.of(0), 1000, cpuMillis, 0);
    }

    private static WorkerRow worker(String server, List<Integer> gpus, int milliGpu, long cpuMillis, long networkMbps) {
        return WorkerRow.assigned(UUID.randomUUID(), 1,
                new Assignment("main", 0, server, gpus, milliGpu, cpuMillis, 0, 0, 0, networkMbps), 0, 1, server, 29500);
    }

    static Stream<Arguments> reservations() {
        return Stream.of(
                // u-1: 1,000 + 2,000 = 3,000 millicores, 10 + 20 Mbit/s; GPU 0: 300 + 700 = 1,000, GPU 1: 700
                arguments("one job's workers sharing a GPU add up", "",
                        List.of(worker("u-1", List.of(0), 300, 1000, 10), worker("u-1", List.of(0, 1), 700, 2000, 20)),
                        "u-1 3000/8000 0/1024 30/100 gpus=0:1000,1:700; u-2 0/1000 0/1 0/0 gpus=-"),
                arguments("a batch over two servers, one without GPUs", "",
                        List.of(worker("u-2", List.of(), 0, 500, 0), worker("u-1", List.of(1), 1000, 8000, 100)),
                        "u-1 8000/8000 0/1024 100/100 gpus=0:0,1:1000; u-2 500/1000 0/1 0/0 gpus=-"),
                // GPU 0: 600 + 600 = 1,200 > 1,000 (per GPU CHECK)
                arguments("a GPU's total over 1,000 is refused", "",
                        List.of(worker("u-1", List.of(0), 600, 1, 0), worker("u-1", List.of(0), 600, 1, 0)),
                        "accelerator_usage_share_within_capacity"),
                // 7,000 + 1,001 = 8,001 > 8,000 millicores (summed before the CHECK)
                arguments("a server's total over capacity is refused", "",
                        List.of(worker("u-1", List.of(), 0, 7000, 0), worker("u-1", List.of(), 0, 1001, 0)),
                        "server_usage_cpu_within_capacity"),
                arguments("a server not READY is refused", "UPDATE servers SET state = 'CORDONED' WHERE name = 'u-2'",
                        List.of(worker("u-1", List.of(0), 1000, 1, 0), worker("u-2", List.of(), 0, 1, 0)),
                        "server u-2 is not READY"),
                arguments("a GPU not healthy is refused, named", "UPDATE accelerators SET health = 'UNHEALTHY' WHERE idx = 1",
                        List.of(worker("u-1", List.of(0, 1), 500, 1, 0)),
                        "GPUs [1] of u-1 are not healthy"));
    }

    /**
     * The one reservation path both commits take (a job alone and a batch of jobs): demand summed per server and GPU,
     * refusals named; a refused reservation is rolled back by its caller, so the counters are left as they were.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("reservations")
    void theReservationPathOfBothCommits(String name, String setup, List<WorkerRow> workers, String expected)
            throws SQLException {
        if (!setup.isEmpty()) jdbc.update(setup);
        try (Connection placement = begin(null)) {
            if (expected.startsWith("u-1 ")) {
                assertThat(counters(placement).reserveAll(workers)).containsOnlyKeys(
                        workers.stream().map(WorkerRow::serverName).distinct().toList());
                placement.commit();
                assertThat(usage()).isEqualTo(expected);
            } else {
                assertThatThrownBy(() -> counters(placement).reserveAll(workers))
                        .isInstanceOfAny(HeldResources.ReservationRefused.class, DataIntegrityViolationException.class)
                        .hasMessageContaining(expected);
                placement.rollback();
                assertThat(usage()).isEqualTo("u-1 0/8000 0/1024 0/100 gpus=0:0,1:0; u-2 0/1000 0/1 0/0 gpus=-");
            }
        }
    }

    /** A transaction on its own connection; {@link #sql} runs statements in it. */
    private Connection begin(String lockTimeout) throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        if (lockTimeout != null) sql(c, "SET lock_timeout = '" + lockTimeout + "'");
        return c;
    }

    private static void sql(Connection c, String statement) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static UsageCounters counters(Connection c) {
        return new UsageCounters(JdbcClient.create(new SingleConnectionDataSource(c, true)));
    }

    @Test
    void aReservationWaitsForAStateChangeInFlightAndThenSeesIt() throws SQLException {
        try (Connection cordon = begin(null); Connection placement = begin("300ms")) {
            sql(cordon, "UPDATE servers SET state = 'CORDONED' WHERE name = 'u-1'");
            assertThatThrownBy(() -> counters(placement).reserveAll(List.of(worker(1000))))
                    .isInstanceOf(DataAccessException.class).hasMessageContaining("lock timeout");
            placement.rollback();
            cordon.commit();
            assertThatThrownBy(() -> counters(placement).reserveAll(List.of(worker(1000))))
                    .isInstanceOf(HeldResources.ReservationRefused.class).hasMessage("server u-1 is not READY");
            placement.rollback();
        }
        assertThat(usage()).isEqualTo("u-1 0/8000 0/1024 0/100 gpus=0:0,1:0; u-2 0/1000 0/1 0/0 gpus=-");
    }

    @Test
    void aCapacityEditWaitsForAReservationInFlightAndIsCheckedAgainstItsTotal() throws SQLException {
        try (Connection placement = begin(null); Connection edit = begin("300ms")) {
            assertThat(counters(placement).reserveAll(List.of(worker(6000)))).containsKey("u-1");
            assertThatThrownBy(() -> sql(edit, "UPDATE servers SET cpu_millis = 5000 WHERE name = 'u-1'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("lock timeout");
            edit.rollback();
            placement.commit();
            // 6,000 held now: shrinking to 5,000 is refused by the copy's CHECK
            assertThatThrownBy(() -> sql(edit, "UPDATE servers SET cpu_millis = 5000 WHERE name = 'u-1'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("server_usage_cpu_within_capacity");
            edit.rollback();
        }
        assertThat(usage()).isEqualTo("u-1 6000/8000 0/1024 0/100 gpus=0:1000,1:0; u-2 0/1000 0/1 0/0 gpus=-");
    }
}
