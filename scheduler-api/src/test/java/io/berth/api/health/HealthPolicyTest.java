package io.berth.api.health;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthPolicyTest {
    private static final HealthPolicy DEFAULTS = new HealthPolicy(new HealthProperties(Map.of()));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            xid79                   | unhealthy,requeue,drain-server
            gpu-lost                | unhealthy,requeue,drain-server
            ecc-dbe                 | unhealthy,requeue
            xid48                   | unhealthy,requeue
            xid94                   | requeue
            row-remap-pending       | unhealthy
            xid13                   | event
            xid31                   | event
            xid43                   | event
            xid62                   | event
            something-new           | event
            """)
    void defaults(String errorClass, String actions) {
        assertThat(HealthPolicy.describe(DEFAULTS.actionsFor(errorClass))).isEqualTo(actions);
    }

    @Test
    void configuredKeysReplaceTheDefaultsAndXidCoversEveryOtherXid() {
        HealthPolicy p = new HealthPolicy(new HealthProperties(Map.of("xid79", "drain-server, requeue",
                "XID", "unhealthy", "ecc-dbe", "event")));
        assertThat(HealthPolicy.describe(p.actionsFor("xid79"))).isEqualTo("requeue,drain-server");
        assertThat(HealthPolicy.describe(p.actionsFor("xid62"))).isEqualTo("unhealthy");
        assertThat(p.keyFor("xid62")).isEqualTo("xid");
        assertThat(HealthPolicy.describe(p.actionsFor("xid13"))).isEqualTo("event"); // its own default key
        assertThat(HealthPolicy.describe(p.actionsFor("ecc-dbe"))).isEqualTo("event");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown action | xid79   | reboot           | berth.health.policy.xid79: unknown action 'reboot' (known: event, unhealthy, requeue, drain-server)
            unknown class  | ecc-sbe | event            | berth.health.policy.ecc-sbe: unknown error class
            """)
    void refusesWhatItDoesNotKnowAtStartUp(String name, String key, String value, String message) {
        assertThatThrownBy(() -> new HealthPolicy(new HealthProperties(Map.of(key, value))))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith(message);
    }
}
