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
            CompletableFuture<double[]> one = CompletableFuture.supplyAsync(() -> call(rank1, 1, new double[] {3, 4, -2}));
            double[] zero = rank0.average(1, new double[] {1, 0, 2});
            // (1+3)/2=2, (0+4)/2=2, (2-2)/2=0
            assertThat(zero).containsExactly(2, 2, 0);
            assertThat(one.get(30, TimeUnit.SECONDS)).containsExactly(2, 2, 0);
        }
    }

    @Test
    void twoReplicasTrainOnTheirShardsAndEndWithTheSameModel() throws Exception {
        int port = freePort();
        TrainingSpec spec = TrainingSpec.parse("""
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
                    rank1.average(3, new double[] {1});
                } catch (Exception ignored) {
                    // rank 0 hangs up
                }
            });
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> rank0.average(2, new double[] {1}))
                    .hasMessageContaining("rank 1 is at epoch 3 but rank 0 is at epoch 2");
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
