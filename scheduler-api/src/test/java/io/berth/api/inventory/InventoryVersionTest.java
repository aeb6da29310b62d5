package io.berth.api.inventory;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The inventory version (V5) that tells the scheduler when its cached inventory is stale: moved once per transaction
 * by every inventory change, through the API or plain SQL, and not by usage counters or heartbeat times.
 */
class InventoryVersionTest extends ApiTestBase {
    @BeforeEach
    void twoServers() {
        for (String s : new String[]{"v-1", "v-2"}) {
            Response r = postJson("/api/v1/servers", "{\"name\":\"" + s + "\",\"cpuMillis\":64000,\"memoryMib\":65536,"
                    + "\"accelerators\":[{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}]}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        jdbc.update("UPDATE servers SET agent_last_seen = now()");
    }

    private long version() {
        return jdbc.queryForObject("SELECT version FROM inventory_version", Long.class);
    }

    static Stream<Arguments> changes() {
        return Stream.<Arguments>of(
                arguments("usage counters", 0, (Consumer<InventoryVersionTest>) t -> t.jdbc.update(
                        "UPDATE server_usage SET cpu_millis_used = 1000, memory_mib_used = 10")),
                arguments("GPU usage", 0, (Consumer<InventoryVersionTest>) t -> t.jdbc.update(
                        "UPDATE accelerator_usage SET used_milli = 500")),
                arguments("heartbeat time", 0, (Consumer<InventoryVersionTest>) t -> t.jdbc.update(
                        "UPDATE servers SET agent_last_seen = now()")),
                arguments("state through the API", 1, (Consumer<InventoryVersionTest>) t -> assertThat(
                        t.postJson("/api/v1/servers/v-1/cordon", "").status()).isEqualTo(200)),
                arguments("new server through the API", 1, (Consumer<InventoryVersionTest>) t -> assertThat(
                        t.postJson("/api/v1/servers", "{\"name\":\"v-3\",\"cpuMillis\":1,\"memoryMib\":1}").status())
                        .isEqualTo(201)),
                arguments("server deleted", 1, (Consumer<InventoryVersionTest>) t -> assertThat(
                        t.delete("/api/v1/servers/v-2").status()).isEqualTo(204)),
                arguments("GPU health in plain SQL", 1, (Consumer<InventoryVersionTest>) t -> t.jdbc.update(
                        "UPDATE accelerators SET health = 'UNHEALTHY'")),
                arguments("agent unregistered", 1, (Consumer<InventoryVersionTest>) t -> t.jdbc.update(
                        "UPDATE servers SET agent_last_seen = NULL WHERE name = 'v-1'")),
                arguments("many rows in one statement", 1, (Consumer<InventoryVersionTest>) t -> t.jdbc.update(
                        "UPDATE servers SET labels = '{\"pool\":\"a\"}'")),
                arguments("new rack", 1, (Consumer<InventoryVersionTest>) t -> assertThat(
                        t.postJson("/api/v1/racks", "{\"name\":\"r-9\",\"zone\":\"default\"}").status()).isEqualTo(201)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void movesOncePerInventoryChangingTransaction(String name, long expectedBump, Consumer<InventoryVersionTest> change) {
        long before = version();
        change.accept(this);
        assertThat(version() - before).isEqualTo(expectedBump);
    }
}
