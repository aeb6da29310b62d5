package io.berth.api.helm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Bad values are refused by {@code values.schema.json} (or, for rules across keys, by a template {@code fail}) before
 * anything is rendered, with a message naming the key.
 */
class HelmValuesSchemaTest {
    private static final String SCHEMA = "values don't meet the specifications of the schema";

    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("negative replica count", sets("controlPlane.replicaCount", -1), SCHEMA,
                        "/controlPlane/replicaCount"),
                arguments("zero replicas", sets("controlPlane.replicaCount", 0), SCHEMA, "/controlPlane/replicaCount"),
                arguments("empty database host", sets("database.host", ""), SCHEMA, "/database/host"),
                // --set KEY=null deletes the key: the required list catches it
                arguments("missing database host", sets("database.host", "null"), SCHEMA, "host"),
                arguments("database port out of range", sets("database.port", 70000), SCHEMA, "/database/port"),
                arguments("replica count as a string", sets("controlPlane.replicaCount", "\"two\""), SCHEMA,
                        "/controlPlane/replicaCount"),
                arguments("heartbeat timeout below 2 s", sets("scheduler.heartbeatTimeoutSeconds", 1), SCHEMA,
                        "/scheduler/heartbeatTimeoutSeconds"),
                arguments("node-sync interval below 5 s", sets("nodeSync.intervalSeconds", 1), SCHEMA,
                        "/nodeSync/intervalSeconds"),
                arguments("unknown work-dir volume type", sets("agent.workDir.type", "nfs"), SCHEMA,
                        "/agent/workDir/type"),
                arguments("misspelt key", sets("controlPlane.replicas", 3), SCHEMA, "replicas"),
                arguments("lease duration without a unit", sets("leaderElection.leaseDuration", 15), SCHEMA,
                        "/leaderElection/leaseDuration"),
                arguments("two replicas without leader election",
                        sets("controlPlane.replicaCount", 2, "leaderElection.enabled", false),
                        "needs leaderElection.enabled=true", "controlPlane.replicaCount"),
                arguments("management port out of range", sets("controlPlane.managementPort", 0), SCHEMA,
                        "/controlPlane/managementPort"),
                arguments("management port equal to the API port", sets("controlPlane.managementPort", 8080),
                        "must differ from controlPlane.port", "controlPlane.managementPort"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesFailBeforeRendering(String name, Map<String, Object> sets, String reason, String key) {
        assertThatThrownBy(() -> RenderedChart.render(sets))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining(key);
    }

    private static Map<String, Object> sets(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
