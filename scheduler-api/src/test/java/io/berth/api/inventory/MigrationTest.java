package io.berth.api.inventory;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Flyway migrations on a real PostgreSQL: applied, and their constraints hold even against direct SQL. */
class MigrationTest extends ApiTestBase {

    /** Every file in db/migration (the repository's, not a copy) is applied, in version order, and nothing else is. */
    @Test
    void everyMigrationFileIsAppliedInVersionOrderAndNothingElse() throws IOException {
        List<String> files;
        try (Stream<Path> dir = Files.list(Path.of("..", "db", "migration"))) {
            files = dir.map(p -> p.getFileName().toString())
                    .sorted(Comparator.comparingInt(MigrationTest::version))
                    .toList();
        }
        assertThat(files).hasSizeGreaterThan(10).allMatch(f -> f.matches("V\\d+__\\w+\\.sql"), "named V<n>__<words>.sql");
        List<String> applied = jdbc.queryForList(
                "SELECT script FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank",
                String.class);
        assertThat(applied).containsExactlyElementsOf(files);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE NOT success", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT zone FROM racks WHERE name = 'default'", String.class)).isEqualTo("default");
    }

    private static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }

    @Test
    void databaseRefusesNegativeCapacitiesUnknownRacksAndBadStates() {
        assertThatThrownBy(() -> jdbc.update(
                "INSERT INTO servers (name, rack, cpu_millis, memory_mib) VALUES ('x', 'default', -1, 1)"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.update(
                "INSERT INTO servers (name, rack, cpu_millis, memory_mib) VALUES ('x', 'nowhere', 1, 1)"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.update(
                "INSERT INTO servers (name, rack, cpu_millis, memory_mib, state) VALUES ('x', 'default', 1, 1, 'ASLEEP')"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.update(
                "INSERT INTO network_links (endpoint_a, endpoint_b, bandwidth_mbps, latency_micros) VALUES ('b', 'a', 1, 1)"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(count("servers") + count("network_links")).isZero();
    }

    @Test
    void deletingAServerCascadesToItsAccelerators() {
        jdbc.update("INSERT INTO servers (name, rack, cpu_millis, memory_mib) VALUES ('x', 'default', 1, 1)");
        jdbc.update("INSERT INTO accelerators (server_id, idx, kind, model, memory_mib) "
                + "SELECT id, 0, 'GPU', 'H100', 81920 FROM servers WHERE name = 'x'");
        jdbc.update("DELETE FROM servers WHERE name = 'x'");
        assertThat(count("accelerators")).isZero();
    }
}
