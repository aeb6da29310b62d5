package io.berth.agent.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingRunTest {

    @TempDir
    Path dir;

    /** Collects what a training run reports. */
    static final class Recorder implements TrainingRun.Listener {
        final List<EpochMetrics> epochs = new ArrayList<>();
        final List<String> lines = new ArrayList<>();

        @Override
        public void onEpoch(EpochMetrics m) {
            epochs.add(m);
        }

        @Override
        public void onLog(String line) {
            lines.add(line);
        }
    }

    static TrainingRun.Options single(int threads, Path checkpoint, Path dir) {
        return new TrainingRun.Options(0, 1, threads, checkpoint, dir, ModelAveraging.none(), "test");
    }

    static Stream<Arguments> convergingSpecs() {
        return Stream.of(
                // name, spec, metric bound: accuracy >= bound (classification) or MSE <= bound (regression)
                Arguments.of("xor mlp tanh adam", """
                        {"model":{"type":"mlp","hiddenLayers":[16],"activation":"tanh"},
                         "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05,"seed":3},
                         "optimizer":{"type":"adam","learningRate":0.02},"batchSize":16,"epochs":40}""", 0.9),
                Arguments.of("xor mlp relu momentum", """
                        {"model":{"type":"mlp","hiddenLayers":[16,16],"activation":"relu"},
                         "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05,"seed":4},
                         "optimizer":{"type":"momentum","learningRate":0.05},"batchSize":16,"epochs":40}""", 0.9),
                Arguments.of("xor mlp sigmoid sgd", """
                        {"model":{"type":"mlp","hiddenLayers":[16],"activation":"sigmoid"},
                         "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05,"seed":5},
                         "optimizer":{"type":"sgd","learningRate":1.0},"batchSize":8,"epochs":80}""", 0.9),
                Arguments.of("3 spirals mlp relu adam", """
                        {"model":{"type":"mlp","hiddenLayers":[32,32],"activation":"relu"},
                         "data":{"type":"generated","generator":"spirals","samples":600,"classes":3,"noise":0.02},
                         "optimizer":{"type":"adam","learningRate":0.01},"batchSize":32,"epochs":80}""", 0.85),
                Arguments.of("4 kinds of bars cnn adam", """
                        {"model":{"type":"cnn","filters":4,"kernelSize":3},
                         "data":{"type":"generated","generator":"bars","samples":400,"features":36,"classes":4,"noise":0.3},
                         "optimizer":{"type":"adam","learningRate":0.01},"batchSize":16,"epochs":15}""", 0.9),
                Arguments.of("4 blobs softmax regression sgd", """
                        {"model":{"type":"linear"},
                         "data":{"type":"generated","generator":"blobs","samples":400,"features":3,"classes":4,"noise":0.5},
                         "optimizer":{"type":"sgd","learningRate":0.1},"batchSize":16,"epochs":15}""", 0.95),
                Arguments.of("linear regression sgd", """
                        {"model":{"type":"linear"},
                         "data":{"type":"generated","generator":"linear","samples":500,"features":3,"noise":0.1},
                         "optimizer":{"type":"sgd","learningRate":0.05},"batchSize":16,"epochs":30}""", 0.02),
                Arguments.of("linear regression momentum", """
                        {"model":{"type":"linear"},
                         "data":{"type":"generated","generator":"linear","samples":500,"features":3,"noise":0.1},
                         "optimizer":{"type":"momentum","learningRate":0.01},"batchSize":16,"epochs":30}""", 0.02),
                Arguments.of("linear regression adam", """
                        {"model":{"type":"linear"},
                         "data":{"type":"generated","generator":"linear","samples":500,"features":3,"noise":0.1},
                         "optimizer":{"type":"adam","learningRate":0.05},"batchSize":16,"epochs":30}""", 0.02));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convergingSpecs")
    void converges(String name, String json, double bound) throws Exception {
        TrainingConfig spec = TrainingConfig.parse(json);
        Recorder rec = new Recorder();

        TrainingRun.Result result = new TrainingRun(spec, single(1, null, dir), rec).run();

        assertThat(rec.epochs).hasSize(spec.epochs());
        double first = rec.epochs.get(0).loss();
        double last = rec.epochs.get(rec.epochs.size() - 1).loss();
        assertThat(last).as("final loss vs first epoch loss").isLessThan(first * 0.5);
        double metric = TrainingRun.evaluate(spec, result.parameters(), dir);
        if (spec.data().classification()) {
            assertThat(metric).as("accuracy").isGreaterThanOrEqualTo(bound);
            assertThat(rec.epochs.get(rec.epochs.size() - 1).accuracy()).isNotNull();
        } else {
            assertThat(metric).as("mean squared error (noise variance is 0.01)").isLessThanOrEqualTo(bound);
            assertThat(rec.epochs.get(0).accuracy()).isNull();
        }
    }

    @Test
    void dataParallelOverTwoThreadsDecreasesLoss() throws Exception {
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"mlp","hiddenLayers":[16],"activation":"tanh"},
                 "data":{"type":"generated","generator":"blobs","samples":400,"features":2,"classes":3,"noise":0.6},
                 "optimizer":{"type":"adam","learningRate":0.02},"batchSize":32,"epochs":10}""");
        Recorder rec = new Recorder();

        TrainingRun.Result result = new TrainingRun(spec, single(2, null, dir), rec).run();

        assertThat(rec.epochs.get(9).loss()).isLessThan(rec.epochs.get(0).loss());
        assertThat(TrainingRun.evaluate(spec, result.parameters(), dir)).isGreaterThan(0.9);
        assertThat(rec.lines).anyMatch(l -> l.contains("2 device thread(s)"));
    }

    @Test
    void twoThreadsComputeTheSameGradientAsOneUpToRounding() throws Exception {
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"mlp","hiddenLayers":[8]},
                 "data":{"type":"generated","generator":"xor","samples":200},
                 "optimizer":{"type":"sgd","learningRate":0.1},"batchSize":20,"epochs":3}""");

        double[] one = new TrainingRun(spec, single(1, null, dir), new Recorder()).run().parameters();
        double[] two = new TrainingRun(spec, single(2, null, dir), new Recorder()).run().parameters();

        for (int i = 0; i < one.length; i++) {
            assertThat(two[i]).isCloseTo(one[i], org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void resumesFromCheckpointAndEndsWhereAnUninterruptedRunEnds() throws Exception {
        String common = """
                "model":{"type":"mlp","hiddenLayers":[8],"activation":"tanh"},
                "data":{"type":"generated","generator":"spirals","samples":300,"classes":2},
                "optimizer":{"type":"adam","learningRate":0.01},"batchSize":16,"checkpointEveryEpochs":2""";
        TrainingConfig firstHalf = TrainingConfig.parse("{" + common + ",\"epochs\":4}");
        TrainingConfig whole = TrainingConfig.parse("{" + common + ",\"epochs\":8}");
        Path ckpt = dir.resolve("ckpt/replica-0.ckpt");

        new TrainingRun(firstHalf, single(2, ckpt, dir), new Recorder()).run();
        Recorder resumed = new Recorder();
        TrainingRun.Result second = new TrainingRun(whole, single(2, ckpt, dir), resumed).run();
        TrainingRun.Result uninterrupted = new TrainingRun(whole, single(2, null, dir), new Recorder()).run();

        assertThat(second.resumedFromEpoch()).isEqualTo(4);
        assertThat(resumed.epochs).extracting(EpochMetrics::epoch).containsExactly(5, 6, 7, 8);
        assertThat(resumed.lines.get(0)).contains("resumed from checkpoint").contains("at epoch 4");
        assertThat(second.parameters()).containsExactly(uninterrupted.parameters());
        assertThat(Checkpoint.read(ckpt).epoch()).isEqualTo(8);
    }

    @Test
    void aFinishedCheckpointRunsNoMoreEpochs() throws Exception {
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"linear"},"data":{"type":"generated","generator":"linear","samples":50},"epochs":2}""");
        Path ckpt = dir.resolve("done.ckpt");
        new TrainingRun(spec, single(1, ckpt, dir), new Recorder()).run();

        Recorder again = new Recorder();
        TrainingRun.Result r = new TrainingRun(spec, single(1, ckpt, dir), again).run();

        assertThat(r.resumedFromEpoch()).isEqualTo(2);
        assertThat(again.epochs).isEmpty();
    }

    @Test
    void trainsOnACsvFile() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 300; i++) {
            double a = r.nextDouble() * 2 - 1;
            double b = r.nextDouble() * 2 - 1;
            csv.append(a).append(',').append(b).append(',').append(a + b > 0 ? 1 : 0).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("half-planes.csv"), csv);
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"linear"},"data":{"type":"csv","path":"half-planes.csv","classes":2},
                 "optimizer":{"type":"adam","learningRate":0.05},"epochs":20}""");

        TrainingRun.Result result = new TrainingRun(spec, single(1, null, dir), new Recorder()).run();

        assertThat(TrainingRun.evaluate(spec, result.parameters(), dir)).isGreaterThan(0.95);
    }
}
