package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.paging.Page;
import io.berth.core.inventory.ServerState;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The servers on Spring Data ({@link ServerService}): filters as a Specification and paging as a Pageable over the
 * example inventory, a page's parts in a fixed number of queries, and replacements that keep what the SQL writers
 * own (a latched health, the version they moved) because they read the row only after locking it.
 */
class ServerServiceTest extends ApiTestBase {
    @Autowired
    ServerService servers;
    @Autowired
    EntityManagerFactory entityManagerFactory;
    @Autowired
    javax.sql.DataSource dataSource;

    /** examples/inventory.yaml: five servers in racks r1 (two H100) and r2; t4-r2-01 drained (idle: DRAINED). */
    static Stream<Arguments> filters() {
        return Stream.of(
                arguments("no filter", ServerFilter.ANY,
                        List.of("a100-r2-01", "cpu-r2-01", "dgx-r1-01", "dgx-r1-02", "t4-r2-01")),
                arguments("state", filter(ServerState.DRAINED, null, null, null, null), List.of("t4-r2-01")),
                arguments("state nobody is in", filter(ServerState.DOWN, null, null, null, null), List.of()),
                arguments("rack", filter(null, "r1", null, null, null), List.of("dgx-r1-01", "dgx-r1-02")),
                arguments("accelerator model", filter(null, null, "A100-80G", null, null), List.of("a100-r2-01")),
                arguments("a prefix of a model", filter(null, null, "A100", null, null), List.of()),
                arguments("model nobody has", filter(null, null, "B200", null, null), List.of()),
                arguments("label present", filter(null, null, null, "gpu-family", null),
                        List.of("a100-r2-01", "dgx-r1-01", "dgx-r1-02")),
                arguments("label with its value", filter(null, null, null, "pool", "training"),
                        List.of("a100-r2-01", "dgx-r1-01", "dgx-r1-02")),
                arguments("label present with another value", filter(null, null, null, "pool", "nope"), List.of()),
                arguments("label key that is a JSON quote", filter(null, null, null, "\"pool\"", null), List.of()),
                arguments("every filter ANDed", filter(ServerState.READY, "r1", "H100", "pool", "training"),
                        List.of("dgx-r1-01", "dgx-r1-02")),
                arguments("rack and a model not in it", filter(null, "r2", "H100", null, null), List.of()));
    }

    private static ServerFilter filter(ServerState state, String rack, String model, String key, String value) {
        return new ServerFilter(state, rack, model, key, value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void filtersThroughASpecification(String name, ServerFilter filter, List<String> expected) throws Exception {
        importExample();
        Page<ServerView> page = servers.servers(filter, 0, 50);
        assertThat(page.items().stream().map(ServerView::name).toList()).isEqualTo(expected);
        assertThat(page.total()).isEqualTo(expected.size());
    }

    @Test
    void pagesInNameOrderWithTheTotal() throws Exception {
        importExample();
        List<String> seen = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            Page<ServerView> page = servers.servers(ServerFilter.ANY, p, 2);
            assertThat(page.total()).isEqualTo(5);
            assertThat(page.page()).isEqualTo(p);
            page.items().forEach(s -> seen.add(s.name()));
        }
        assertThat(seen).containsExactly("a100-r2-01", "cpu-r2-01", "dgx-r1-01", "dgx-r1-02", "t4-r2-01");
        assertThat(servers.servers(ServerFilter.ANY, 3, 2)).isEqualTo(new Page<>(List.of(), 3, 2, 5));
        // past what a JPA query can skip: empty, with the total
        assertThat(servers.servers(ServerFilter.ANY, Integer.MAX_VALUE, 500))
                .isEqualTo(new Page<>(List.of(), Integer.MAX_VALUE, 500, 5));
    }

    /** A page's accelerators and devices come in one query per kind, however many servers it holds (no N+1). */
    @Test
    void aPageReadsItsPartsInAFixedNumberOfQueries() {
        for (int i = 0; i < 30; i++) createServer("s-" + (100 + i), 2);
        assertThat(statementsFor(() -> servers.servers(ServerFilter.ANY, 0, 3))).isEqualTo(
                // the page and its count (a full page: there may be more), accelerators, devices
                4);
        assertThat(statementsFor(() -> {
            Page<ServerView> page = servers.servers(ServerFilter.ANY, 0, 25);
            assertThat(page.items()).hasSize(25).allSatisfy(s -> {
                assertThat(s.accelerators()).hasSize(2);
                assertThat(s.localDevices()).hasSize(1);
            });
        })).isEqualTo(4);
        // a first page that is not full is all there is: no count
        assertThat(statementsFor(() -> servers.servers(ServerFilter.ANY, 0, 50))).isEqualTo(3);
    }

    /**
     * An operator's replacement updates the accelerators in place: the description changes, a health the health
     * policy latched stays (as the import's upsert keeps it), an accelerator left out goes; the version moves once.
     */
    @Test
    void aReplacementKeepsALatchedHealthAndMovesTheVersionOnce() {
        createServer("gpu-1", 3);
        jdbc.update("UPDATE accelerators SET health = 'UNHEALTHY', health_latched = true WHERE idx = 1");
        long version = servers.server("gpu-1").version();

        assertThat(servers.put(spec("gpu-1", 2, "NVIDIA Corp", 48000))).isFalse();

        ServerView replaced = servers.server("gpu-1");
        assertThat(replaced.version()).isEqualTo(version + 1);
        assertThat(replaced.cpuMillis()).isEqualTo(48000);
        assertThat(replaced.accelerators()).extracting(AcceleratorSpec::index, AcceleratorSpec::vendor,
                        a -> a.health().name())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "NVIDIA Corp", "HEALTHY"),
                        org.assertj.core.groups.Tuple.tuple(1, "NVIDIA Corp", "UNHEALTHY"));
        assertThat(jdbc.queryForList("SELECT idx FROM accelerator_usage ORDER BY idx", Integer.class))
                .containsExactly(0, 1);
        assertThat(replaced.updatedAt()).isAfter(replaced.createdAt()); // the replacing transaction's time

        // the same description again is still a write through the API: the version moves
        assertThat(servers.put(spec("gpu-1", 2, "NVIDIA Corp", 48000))).isFalse();
        assertThat(servers.server("gpu-1").version()).isEqualTo(version + 2);
    }

    /**
     * A replacement reads the row only once it holds its lock: a heartbeat-like SQL writer that holds the row while
     * the replacement starts is waited for, and the version it moved is counted, not overwritten.
     */
    @Test
    void concurrentPutsOfANewNameTakeTurnsTheFirstCreatesTheOthersReplace() throws Exception {
        // a transaction of the test holds the name's lock, so the PUTs queue up on it before any of them looks
        TransactionTemplate holder = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> lock = CompletableFuture.runAsync(() -> holder.executeWithoutResult(tx -> {
            new org.springframework.jdbc.core.JdbcTemplate(dataSource)
                    .queryForList("SELECT pg_advisory_xact_lock(hashtext('server:gpu-new'))");
            locked.countDown();
            try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Boolean>> puts = List.of(
                CompletableFuture.supplyAsync(() -> servers.put(spec("gpu-new", 1, "NVIDIA", 16000))),
                CompletableFuture.supplyAsync(() -> servers.put(spec("gpu-new", 1, "NVIDIA", 32000))));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'", Long.class) == 2);
        release.countDown();
        lock.get(30, TimeUnit.SECONDS);

        List<Boolean> created = new java.util.ArrayList<>();
        for (CompletableFuture<Boolean> put : puts) created.add(put.get(30, TimeUnit.SECONDS));
        assertThat(created).containsExactlyInAnyOrder(true, false);
        assertThat(servers.server("gpu-new").cpuMillis()).isIn(16000L, 32000L);
    }

    @Test
    void aReplacementWaitsForTheRowLockAndLosesNoConcurrentWrite() throws Exception {
        createServer("gpu-1", 1);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TransactionTemplate other = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> other.executeWithoutResult(tx -> {
            org.springframework.jdbc.core.JdbcTemplate t = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
            t.update("UPDATE servers SET state_reason = 'held', version = version + 1 WHERE name = 'gpu-1'");
            locked.countDown();
            try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> replacement = CompletableFuture.supplyAsync(
                () -> servers.put(spec("gpu-1", 1, "NVIDIA", 32000)));
        // the replacement's lockHoldings waits for the writer's row lock
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        + "AND query LIKE '%JOIN server_usage u ON u.server_id = s.id%FOR UPDATE%'", Long.class) >= 1);
        assertThat(replacement).isNotDone();
        release.countDown();
        writer.get(30, TimeUnit.SECONDS);

        assertThat(replacement.get(30, TimeUnit.SECONDS)).isFalse();
        ServerView stored = servers.server("gpu-1");
        assertThat(stored.version()).isEqualTo(2); // the writer's move and the replacement's
        assertThat(stored.stateReason()).isEqualTo("held"); // a replacement keeps the reason
        assertThat(stored.cpuMillis()).isEqualTo(32000);
    }

    @Test
    void aStateChangeAndADeleteAreOneStatementEach() {
        createServer("gpu-1", 1);
        ServerView cordoned = servers.changeState("gpu-1", ServerState.CORDONED, "maintenance");
        assertThat(List.of(cordoned.state(), cordoned.stateReason(), cordoned.version()))
                .isEqualTo(List.of(ServerState.CORDONED, "maintenance", 1L));
        ServerView ready = servers.changeState("gpu-1", ServerState.READY, "ignored");
        assertThat(Map.of("state", ready.state(), "version", ready.version()))
                .isEqualTo(Map.of("state", ServerState.READY, "version", 2L));
        assertThat(ready.stateReason()).isNull();
        servers.delete("gpu-1");
        assertThat(count("servers") + count("accelerators") + count("local_devices") + count("accelerator_usage"))
                .isZero();
    }

    private long statementsFor(Runnable read) {
        Statistics statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
        statistics.clear();
        statistics.setStatisticsEnabled(true);
        try {
            read.run();
            return statistics.getPrepareStatementCount();
        } finally {
            statistics.setStatisticsEnabled(false);
        }
    }

    private void importExample() throws Exception {
        assertThat(post("/api/v1/inventory/import", "application/yaml",
                Files.readString(Path.of("../examples/inventory.yaml"))).status()).isEqualTo(200);
        assertThat(postJson("/api/v1/servers/t4-r2-01/drain", "").status()).isEqualTo(200);
    }

    private void createServer(String name, int gpus) {
        ServerView created = servers.create(spec(name, gpus, "NVIDIA", 64000));
        assertThat(created.accelerators()).hasSize(gpus);
    }

    private static ServerSpec spec(String name, int gpus, String vendor, long cpuMillis) {
        List<AcceleratorSpec> accelerators = new ArrayList<>();
        for (int i = 0; i < gpus; i++)
            accelerators.add(new AcceleratorSpec(i, io.berth.core.inventory.AcceleratorKind.GPU, vendor, "H100", 81920,
                    "nvl-0", null));
        return new ServerSpec(name, null, cpuMillis, 524288L, null, Map.of("pool", "training"), null, null, null,
                accelerators, List.of(new LocalDeviceSpec("nvme0", io.berth.core.inventory.StorageMedium.NVME, 3840L,
                7000, 4000)));
    }
}
