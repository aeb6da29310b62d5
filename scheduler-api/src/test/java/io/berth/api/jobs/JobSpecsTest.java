package io.berth.api.jobs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's cheap reading of a stored spec gives exactly what binding the whole spec gives. */
class JobSpecsTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"a\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":1,\"memoryMib\":2}],"
                    + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}",
            "{\"name\":\"b\",\"tenant\":\"t\",\"priority\":70,\"taskGroups\":[{\"name\":\"g\",\"replicas\":4,\"cpuMillis\":1000,"
                    + "\"memoryMib\":2048,\"gpus\":2,\"gangSize\":2,\"topology\":\"RACK\",\"topologyRequired\":true,"
                    + "\"acceleratorModels\":[\"H100\",\"A100\"],\"minAcceleratorMemoryMib\":40000,\"localStorageGib\":100,"
                    + "\"storageMbPerSec\":500,\"networkMbps\":25000},{\"name\":\"ps\",\"replicas\":1,\"cpuMillis\":500,"
                    + "\"memoryMib\":512,\"gpus\":1,\"milliGpu\":250,\"topology\":null}],\"maxRunSeconds\":60,\"retries\":1,"
                    + "\"runtime\":{\"type\":\"embedded\",\"embedded\":{\"model\":{\"type\":\"mlp\",\"layers\":[8,8]},"
                    + "\"data\":{\"type\":\"generated\",\"generator\":\"xor\"},\"epochs\":2}}}"})
    void readsTheSameRequestAsTheFullSpec(String json) {
        JobSpec spec = JobSpecs.JSON.readValue(json, JobSpec.class);
        // as submitted and as re-serialized (with explicit nulls)
        for (String stored : new String[]{json, JobSpecs.JSON.writeValueAsString(spec)}) {
            JobRow row = new JobRow(UUID.randomUUID(), spec.name(), spec.tenant(), spec.priorityOrDefault(),
                    JobState.QUEUED, stored, 0, 0, 3, null, 0, 0, 0, null, null, 0, Instant.now(), Instant.now(), null, null);

            assertThat(JobSpecs.request(row)).isEqualTo(spec.toRequest(row.id().toString()));
            assertThat(JobSpecs.request(row).taskGroups()).hasSize(spec.taskGroups().size());
        }
    }
}
