package io.berth.api.inventory;

import io.berth.api.ApiTestBase;
import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What node sync asks of the inventory ({@link InventoryService#syncNodeServer}, {@link InventoryService#serverNames}). */
class NodeSyncWritesTest extends ApiTestBase {
    @Autowired
    InventoryService inventory;

    @Test
    void createsTheZoneAndRackThenTheServerAndReplacesItNextTime() {
        assertThat(inventory.syncNodeServer(node("n1", "rack-a", 1000), "zone-a")).isTrue();
        assertThat(inventory.syncNodeServer(node("n1", "rack-a", 2000), "zone-a")).isFalse();
        // an existing rack keeps its zone
        assertThat(inventory.syncNodeServer(node("n2", "rack-a", 1000), "zone-b")).isTrue();

        assertThat(jdbc.queryForMap("SELECT name, zone FROM racks WHERE name = 'rack-a'"))
                .isEqualTo(Map.of("name", "rack-a", "zone", "zone-a"));
        assertThat(jdbc.queryForList("SELECT name FROM zones ORDER BY name", String.class))
                .containsExactly("default", "zone-a", "zone-b");
        assertThat(inventory.server("n1").cpuMillis()).isEqualTo(2000);
        assertThat(inventory.serverNames()).containsExactly("n1", "n2");
    }

    /** One transaction: a server the inventory refuses leaves no zone or rack behind. */
    @Test
    void aRefusedServerLeavesNoZoneOrRack() {
        ServerSpec bad = new ServerSpec("n1", "rack-x", 1000L, 1024L, null, Map.of(), null, 500, 100, List.of(),
                List.of());
        assertThatThrownBy(() -> inventory.syncNodeServer(bad, "zone-x")).isInstanceOf(Invalid.class)
                .extracting(e -> ((Invalid) e).fieldErrors())
                .isEqualTo(List.of(new FieldError("peakPowerWatts", "must be >= idlePowerWatts")));
        assertThat(count("zones") + count("racks") + count("servers")).isEqualTo(2); // the defaults only
    }

    private static ServerSpec node(String name, String rack, long cpuMillis) {
        return new ServerSpec(name, rack, cpuMillis, 1024L, null, Map.of("k8s", "true"), null, null, null, List.of(),
                List.of());
    }
}
