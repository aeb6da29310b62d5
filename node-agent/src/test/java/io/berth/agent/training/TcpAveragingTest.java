package io.berth.agent.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TcpAveragingTest {

    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void averagesParametersOfTwoReplicasOverLoopback() throws Exception {
        int port = freePort();
        try (ModelAveraging rank0 = ModelAveraging.tcp(0, 2, "127.0.0.1", port, Duration.ofSeconds(30));
             ModelAveraging rank1 = ModelAveraging.tcp(1, 2, "127.0.0.1", port, Duration.ofSeconds(30))) {
            CompletableFuture<double[]> one = CompletableFuture.supplyAsync(() -> {
                begin(rank1, 0, new double[3]);
                return call(rank1, 1, new double[] {3, 4, -2});
            });
            rank0.begin(0, new double[3]);
            double[] zero = rank0.average(1, new double[] {1, 0, 2});
            // (1+3)/2=2, (0+4)/2=2, (2-2)/2=0
            assertThat(zero).containsExactly(2, 2, 0);
            assertThat(one.get(30, TimeUnit.SECONDS)).containsExactly(2, 2, 0);
        }
    }

    @Test
    void twoReplicasTrainOnTheirShardsAndEndWithTheSameModel() throws Exception {
        int port = freePort();
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"mlp","hiddenLayers":[16],"activation":"tanh"},
                 "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05},
                 "optimizer":{"type":"adam","learningRate":0.02},"batchSize":16,"epochs":30}""");
        TrainingRunTest.Recorder rec0 = new TrainingRunTest.Recorder();
        TrainingRunTest.Recorder rec1 = new TrainingRunTest.Recorder();
        TrainingRun r0 = new TrainingRun(spec, new TrainingRun.Options(0, 2, 1, null, dir,
                ModelAveraging.tcp(0, 2, "127.0.0.1", port, Duration.ofSeconds(60)), "r0"), rec0);
        TrainingRun r1 = new TrainingRun(spec, new TrainingRun.Options(1, 2, 1, null, dir,
                ModelAveraging.tcp(1, 2, "127.0.0.1", port, Duration.ofSeconds(60)), "r1"), rec1);

        CompletableFuture<TrainingRun.Result> f1 = CompletableFuture.supplyAsync(() -> run(r1));
        TrainingRun.Result res0 = r0.run();
        TrainingRun.Result res1 = f1.get(120, TimeUnit.SECONDS);

        assertThat(res1.parameters()).containsExactly(res0.parameters());
        assertThat(rec0.lines.get(0)).contains("on 200 samples, rank 0/2");
        assertThat(rec1.lines.get(0)).contains("on 200 samples, rank 1/2");
        assertThat(rec0.epochs.get(29).loss()).isLessThan(rec0.epochs.get(0).loss());
        assertThat(TrainingRun.evaluate(spec, res0.parameters(), dir)).isGreaterThan(0.9);
    }

    @Test
    void epochDisagreementFailsTheRound() throws Exception {
        int port = freePort();
        try (ModelAveraging rank0 = ModelAveraging.tcp(0, 2, "127.0.0.1", port, Duration.ofSeconds(30));
             ModelAveraging rank1 = ModelAveraging.tcp(1, 2, "127.0.0.1", port, Duration.ofSeconds(30))) {
            CompletableFuture.runAsync(() -> {
                try {
                    rank1.begin(0, new double[1]);
                    rank1.average(3, new double[] {1});
                } catch (Exception ignored) {
                    // rank 0 hangs up
                }
            });
            rank0.begin(0, new double[1]);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> rank0.average(2, new double[] {1}))
                    .hasMessageContaining("rank 1 is at epoch 3 but rank 0 is at epoch 2");
        }
    }

    @Test
    void replicasAgreeToStartFromTheMostAdvancedOffer() throws Exception {
        int port = freePort();
        try (ModelAveraging rank0 = ModelAveraging.tcp(0, 3, "127.0.0.1", port, Duration.ofSeconds(30));
             ModelAveraging rank1 = ModelAveraging.tcp(1, 3, "127.0.0.1", port, Duration.ofSeconds(30));
             ModelAveraging rank2 = ModelAveraging.tcp(2, 3, "127.0.0.1", port, Duration.ofSeconds(30))) {
            CompletableFuture<ModelAveraging.Start> one = CompletableFuture.supplyAsync(() -> begin(rank1, 5, new double[] {5, 5}));
            CompletableFuture<ModelAveraging.Start> two = CompletableFuture.supplyAsync(() -> begin(rank2, 0, new double[] {0, 0}));
            ModelAveraging.Start zero = rank0.begin(4, new double[] {4, 4});

            // offers: rank 0 at epoch 4, rank 1 at epoch 5 (most advanced), rank 2 without a checkpoint
            for (ModelAveraging.Start s : java.util.List.of(zero, one.get(30, TimeUnit.SECONDS), two.get(30, TimeUnit.SECONDS))) {
                assertThat(s.epoch()).isEqualTo(5);
                assertThat(s.parameters()).containsExactly(5, 5);
            }
        }
    }

    @Test
    void aReplicaWithoutItsCheckpointResumesWithTheOthers() throws Exception {
        String common = """
                "model":{"type":"mlp","hiddenLayers":[8],"activation":"tanh"},
                "data":{"type":"generated","generator":"blobs","samples":300,"classes":3,"noise":0.5},
                "optimizer":{"type":"momentum","learningRate":0.05},"batchSize":16""";
        TrainingConfig four = TrainingConfig.parse("{" + common + ",\"epochs\":4}");
        TrainingConfig eight = TrainingConfig.parse("{" + common + ",\"epochs\":8}");
        Path agentA = dir.resolve("agent-a/ckpt/replica-0.ckpt");
        Path agentB = dir.resolve("agent-b/ckpt/replica-1.ckpt");
        Path agentC = dir.resolve("agent-c/ckpt/replica-1.ckpt"); // rank 1 requeued onto a server without its checkpoint

        runPair(four, agentA, agentB);
        TrainingRunTest.Recorder[] resumed = runPair(eight, agentA, agentC);

        assertThat(resumed[0].epochs).extracting(EpochMetrics::epoch).containsExactly(5, 6, 7, 8);
        assertThat(resumed[1].epochs).extracting(EpochMetrics::epoch).containsExactly(5, 6, 7, 8);
        assertThat(resumed[1].lines).anyMatch(l -> l.contains("resumed from checkpoint of another replica at epoch 4"));
        assertThat(Checkpoint.read(agentC).parameters()).containsExactly(Checkpoint.read(agentA).parameters());
        assertThat(Checkpoint.read(Checkpoint.previous(agentA)).epoch()).isEqualTo(7);
    }

    private TrainingRunTest.Recorder[] runPair(TrainingConfig spec, Path ckpt0, Path ckpt1) throws Exception {
        int port = freePort();
        TrainingRunTest.Recorder rec0 = new TrainingRunTest.Recorder();
        TrainingRunTest.Recorder rec1 = new TrainingRunTest.Recorder();
        TrainingRun r0 = new TrainingRun(spec, new TrainingRun.Options(0, 2, 1, ckpt0, dir,
                ModelAveraging.tcp(0, 2, "127.0.0.1", port, Duration.ofSeconds(60)), "r0"), rec0);
        TrainingRun r1 = new TrainingRun(spec, new TrainingRun.Options(1, 2, 1, ckpt1, dir,
                ModelAveraging.tcp(1, 2, "127.0.0.1", port, Duration.ofSeconds(60)), "r1"), rec1);
        CompletableFuture<TrainingRun.Result> f1 = CompletableFuture.supplyAsync(() -> run(r1));
        r0.run();
        f1.get(120, TimeUnit.SECONDS);
        return new TrainingRunTest.Recorder[] {rec0, rec1};
    }

    private static ModelAveraging.Start begin(ModelAveraging a, int epoch, double[] p) {
        try {
            return a.begin(epoch, p);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static double[] call(ModelAveraging a, int epoch, double[] p) {
        try {
            return a.average(epoch, p);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static TrainingRun.Result run(TrainingRun r) {
        try {
            return r.run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
