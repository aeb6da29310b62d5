package io.berth.api.jobs;

import io.berth.core.spec.JobSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The form an idempotency key's request hash is computed from stays byte for byte what it was before the runtime
 * became a sealed type (the expected strings are what the control plane hashed then), so that a request retried
 * across the upgrade is recognised as the same.
 */
class CanonicalSpecTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GROUPS = "\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":100,\"memoryMib\":64,"
            + "\"gpus\":null,\"milliGpu\":null,\"acceleratorModels\":null,\"minAcceleratorMemoryMib\":null,"
            + "\"localStorageGib\":null,\"storageMbPerSec\":null,\"networkMbps\":null,\"gangSize\":null,"
            + "\"topology\":\"RACK\",\"topologyRequired\":null}]";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            embedded | {"type":"embedded","embedded":{"epochs":1,"model":{"type":"MLP","hiddenLayers":[4,4]},"data":{"type":"generated","noise":0.5,"generator":"xor"}}} | {"type":"embedded","embedded":{"data":{"generator":"xor","noise":0.5,"type":"generated"},"epochs":1,"model":{"hiddenLayers":[4,4],"type":"MLP"}},"process":null}
            process  | {"type":"process","process":{"env":{"B":"2","A":"1"},"argv":["sh","-c","x"]}}                                                                       | {"type":"process","embedded":null,"process":{"argv":["sh","-c","x"],"env":{"A":"1","B":"2"},"workingDir":null}}
            """)
    void isTheFormHashedBeforeTheRuntimeWasSealed(String name, String runtime, String canonicalRuntime) {
        JobSpec spec = JSON.readValue("{\"tenant\":\"t\",\"name\":\"j\",\"priority\":3,\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":1,\"cpuMillis\":100,\"memoryMib\":64,\"topology\":\"RACK\"}],\"runtime\":" + runtime + "}", JobSpec.class);

        assertThat(JobService.canonical(spec)).isEqualTo("{\"name\":\"j\",\"tenant\":\"t\",\"priority\":3," + GROUPS
                + ",\"runtime\":" + canonicalRuntime + ",\"maxRunSeconds\":null,\"retries\":null}");
    }
}
