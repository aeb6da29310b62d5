package io.berth.api.jobs;

import io.berth.core.spec.JobSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stored spec reads back as the records it was written from, and gives the scheduler the same request as the
 * spec submitted: for a spec stored now (normalised) and for rows an older control plane stored (as submitted, with
 * explicit nulls and the other runtime's section as null). Normalising is idempotent.
 */
class JobSpecsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"a\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":1,\"memoryMib\":2}],"
                    + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}",
            // as an older control plane stored it: every null written, the embedded section next to a process
            "{\"name\":\"a\",\"tenant\":\"t\",\"priority\":null,\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":1,"
                    + "\"memoryMib\":2,\"gpus\":null,\"milliGpu\":null,\"gangSize\":null,\"topology\":null}],\"maxRunSeconds\":null,"
                    + "\"retries\":null,\"runtime\":{\"type\":\"process\",\"embedded\":null,\"process\":{\"argv\":[\"true\"],"
                    + "\"env\":null,\"workingDir\":null}}}",
            "{\"name\":\"b\",\"tenant\":\"t\",\"priority\":70,\"taskGroups\":[{\"name\":\"g\",\"replicas\":4,\"cpuMillis\":1000,"
                    + "\"memoryMib\":2048,\"gpus\":2,\"gangSize\":2,\"topology\":\"RACK\",\"topologyRequired\":true,"
                    + "\"acceleratorModels\":[\"H100\",\"A100\"],\"minAcceleratorMemoryMib\":40000,\"localStorageGib\":100,"
                    + "\"storageMbPerSec\":500,\"networkMbps\":25000},{\"name\":\"ps\",\"replicas\":1,\"cpuMillis\":500,"
                    + "\"memoryMib\":512,\"gpus\":1,\"milliGpu\":250,\"topology\":null}],\"maxRunSeconds\":60,\"retries\":1,"
                    + "\"runtime\":{\"type\":\"embedded\",\"embedded\":{\"model\":{\"type\":\"mlp\",\"hiddenLayers\":[8,8]},"
                    + "\"data\":{\"type\":\"generated\",\"generator\":\"xor\"},\"epochs\":2},\"process\":null}}"})
    void readsTheSameRequestAsTheFullSpec(String json) {
        JobSpec spec = JobSpecs.spec(row(json));
        JobSpec normalised = spec.normalised();

        assertThat(normalised.normalised()).isEqualTo(normalised);
        assertThat(JobSpecs.spec(row(JobSpecs.json(normalised)))).isEqualTo(normalised);
        for (String stored : new String[]{json, JobSpecs.json(normalised)}) {
            JobRow row = row(stored);
            assertThat(JobSpecs.request(row)).isEqualTo(spec.toRequest(row.id().toString()));
            assertThat(JobSpecs.request(row)).isEqualTo(normalised.toRequest(row.id().toString()));
        }
        // the runtime is stored as it was written
        assertThat(JSON.readTree(JobSpecs.json(normalised)).get("runtime"))
                .isEqualTo(JSON.readTree(JobSpecs.json(spec)).get("runtime"));
    }

    private static JobRow row(String specJson) {
        return new JobRow(UUID.randomUUID(), "a", "t", 0, JobState.QUEUED, specJson, 0, 0, 3, null, 0, 0, 0, null, null,
                0, Instant.now(), Instant.now(), null, null);
    }
}
