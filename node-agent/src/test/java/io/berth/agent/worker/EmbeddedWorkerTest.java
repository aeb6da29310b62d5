package io.berth.agent.worker;

import static io.berth.agent.worker.Fixtures.anAssignment;
import static io.berth.agent.worker.Fixtures.await;
import static io.berth.agent.worker.Fixtures.awaitFinal;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.MetricsReport;
import io.berth.agent.worker.WorkerStatus.State;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedWorkerTest {
    static final String XOR = """
            {"model":{"type":"mlp","hiddenLayers":[16],"activation":"tanh"},
             "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05},
             "optimizer":{"type":"adam","learningRate":0.02},"batchSize":16,"epochs":%d}""";

    @TempDir
    Path workDir;
    Fixtures.KeepingTelemetry telemetry;
    WorkerManager manager;

    @BeforeEach
    void setUp() throws Exception {
        telemetry = new Fixtures.KeepingTelemetry();
        manager = new WorkerManager(workDir, telemetry, Fixtures.fastSettings());
    }

    @AfterEach
    void tearDown() {
        manager.stopAll("test over", java.time.Duration.ofSeconds(10));
        manager.close();
    }

    private List<MetricsReport> metricsOf(String id) {
        synchronized (telemetry.metrics) {
            return telemetry.metrics.stream().filter(e -> e.getKey().equals(id)).map(Map.Entry::getValue).toList();
        }
    }

    @Test
    void trainsOnTwoGpuThreadsReportsMetricsLogsAndSucceeds() throws Exception {
        manager.start(anAssignment("emb").gpus(0, 1).checkpointDir("ckpt/job-1").embedded(XOR.formatted(20)).build());

        assertThat(awaitFinal(manager, "emb")).isEqualTo(new WorkerStatus("emb", State.SUCCEEDED, null, null));
        await("20 metrics", () -> metricsOf("emb").size() == 20);
        List<MetricsReport> m = metricsOf("emb");
        assertThat(m).extracting(MetricsReport::epoch).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
        assertThat(m.get(19).loss()).isLessThan(m.get(0).loss());
        assertThat(m.get(19).accuracy()).isGreaterThan(0.85);
        await("last log line", () -> telemetry.logsOf("emb").contains("training finished"));
        assertThat(telemetry.logsOf("emb").get(0)).contains("2 device thread(s)");
        assertThat(workDir.resolve("ckpt/job-1/replica-0.ckpt")).exists();
    }

    @Test
    void aRequeuedAttemptWithTheSameCheckpointDirResumes() throws Exception {
        manager.start(anAssignment("attempt-1").checkpointDir("ckpt/job-2").embedded(XOR.formatted(3)).build());
        awaitFinal(manager, "attempt-1");

        manager.start(anAssignment("attempt-2").checkpointDir("ckpt/job-2").embedded(XOR.formatted(6)).build());

        assertThat(awaitFinal(manager, "attempt-2").state()).isEqualTo(State.SUCCEEDED);
        await("metrics", () -> metricsOf("attempt-2").size() == 3);
        assertThat(metricsOf("attempt-2")).extracting(MetricsReport::epoch).containsExactly(4, 5, 6);
        await("log", () -> !telemetry.logsOf("attempt-2").isEmpty());
        assertThat(telemetry.logsOf("attempt-2").get(0)).contains("resumed from checkpoint").contains("at epoch 3");
    }

    @Test
    void twoReplicasOnTwoAgentsAverageOverTcp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path otherDir = Files.createDirectories(workDir.resolve("other-agent"));
        try (WorkerManager other = new WorkerManager(otherDir, telemetry, Fixtures.fastSettings())) {
            manager.start(anAssignment("r0").replica(0, 2).master("127.0.0.1", port).embedded(XOR.formatted(10)).build());
            other.start(anAssignment("r1").replica(1, 2).master("127.0.0.1", port).embedded(XOR.formatted(10)).build());

            assertThat(awaitFinal(manager, "r0").state()).isEqualTo(State.SUCCEEDED);
            assertThat(awaitFinal(other, "r1").state()).isEqualTo(State.SUCCEEDED);
            await("metrics", () -> metricsOf("r0").size() == 10 && metricsOf("r1").size() == 10);
            await("logs", () -> !telemetry.logsOf("r1").isEmpty());
            assertThat(telemetry.logsOf("r1").get(0)).contains("200 samples, rank 1/2");
        }
    }

    @Test
    void invalidSpecFailsNamingTheField() throws Exception {
        manager.start(anAssignment("bad").embedded("{\"data\":{\"type\":\"generated\",\"generator\":\"moons\"}}").build());

        WorkerStatus s = awaitFinal(manager, "bad");

        assertThat(s.state()).isEqualTo(State.FAILED);
        assertThat(s.message()).startsWith("invalid training spec: data.generator: must be one of");
    }

    @Test
    void stopCancelsTraining() throws Exception {
        manager.start(anAssignment("long").embedded(XOR.formatted(1_000_000)).build());
        await("first epoch", () -> !metricsOf("long").isEmpty());

        manager.stop("long", "preempted");

        assertThat(awaitFinal(manager, "long")).isEqualTo(new WorkerStatus("long", State.FAILED, null, "stopped: preempted"));
    }
}
