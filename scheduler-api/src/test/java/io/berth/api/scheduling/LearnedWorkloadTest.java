package io.berth.api.scheduling;

import io.berth.api.ApiTestBase;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.workload.OnlineWorkload;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The typical workload is learned from jobs submitted over HTTP, reaches the live policy's engine, is written to
 * {@code learned_workload} and read back by a fresh instance (what a restarted control plane does at start-up).
 */
class LearnedWorkloadTest extends ApiTestBase {
    private static final String JOB = "{\"name\":\"%s\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\",\"replicas\":%d,"
            + "\"cpuMillis\":%d,\"memoryMib\":3333,\"gpus\":%d,\"milliGpu\":%d,\"acceleratorModels\":[\"H100\"]}],"
            + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";

    @Autowired
    LearnedWorkload learned;
    @Autowired
    Placement placement;
    @Autowired
    WorkloadProperties properties;
    @Autowired
    JdbcClient jdbcClient;

    @Test
    void learnsSubmittedShapesUsesThemAndKeepsThemAcrossARestart() {
        liveServer("lw-1", "default", 8, "H100", 64_000, 512_000);
        // unusual CPU figures mark this test's shapes among what other tests of the shared context submitted
        assertThat(postJson("/api/v1/jobs", JOB.formatted("one", 1, 7_771, 1, 300)).status()).isEqualTo(201);
        assertThat(postJson("/api/v1/jobs", JOB.formatted("two", 1, 7_771, 1, 300)).status()).isEqualTo(201);
        var batch = postJson("/api/v1/jobs/batch", "{\"jobs\":[" + JOB.formatted("gang", 3, 7_772, 2, 1000) + "]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(201);
        // refused (more CPU than any server has): not learned
        assertThat(postJson("/api/v1/jobs", JOB.formatted("huge", 1, 977_773, 1, 1000)).status()).isEqualTo(422);

        assertThat(weight(learned.snapshot().entries(), 7_771).orElseThrow()).isCloseTo(2.0, within(0.01));
        assertThat(weight(learned.snapshot().entries(), 7_772).orElseThrow()).isCloseTo(3.0, within(0.01));
        assertThat(weight(learned.snapshot().entries(), 977_773)).isEmpty();
        var shape = learned.snapshot().entries().stream().filter(e -> e.shape().cpuMillis() == 7_771).findFirst().orElseThrow().shape();
        assertThat(shape).isEqualTo(new OnlineWorkload.Shape(1, 300, 7_771, 3_333, List.of("H100")));

        // the live policy's engine is rebuilt from it (at most every refresh-seconds)
        await().atMost(Duration.ofSeconds(properties.refreshSeconds() + 10)).untilAsserted(() ->
                assertThat(placement.typicalWorkload()).anySatisfy(w -> {
                    assertThat(w.shape().cpuMillis()).isEqualTo(7_772);
                    assertThat(w.shape().gpuCount()).isEqualTo(2);
                    assertThat(w.shape().acceptedModels()).containsExactly("H100");
                }));

        // saved within save-seconds, in one row
        await().atMost(Duration.ofSeconds(properties.saveSeconds() + 10)).until(() -> jdbcClient
                .sql("SELECT count(*) FROM learned_workload WHERE snapshot::text LIKE '%7772%' AND snapshot::text LIKE '%7771%'")
                .query(Long.class).single() == 1);

        // a restarted control plane restores it from the table
        var restarted = new LearnedWorkload(jdbcClient, properties);
        assertThat(weight(restarted.snapshot().entries(), 7_772).orElseThrow()).isCloseTo(3.0, within(0.01));
        assertThat(restarted.typical().stream().map(WeightedShape::shape).filter(t -> t.cpuMillis() == 7_771))
                .singleElement().satisfies(t -> assertThat(t.milliGpuPerGpu()).isEqualTo(300));
    }

    private static Optional<Double> weight(List<OnlineWorkload.Entry> entries, long cpuMillis) {
        return entries.stream().filter(e -> e.shape().cpuMillis() == cpuMillis).map(OnlineWorkload.Entry::weight).findFirst();
    }
}
