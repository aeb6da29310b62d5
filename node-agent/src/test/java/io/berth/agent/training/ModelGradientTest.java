package io.berth.agent.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.training.TrainingConfig.Activation;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Back-propagation agrees with central finite differences of the loss, for every model kind. */
class ModelGradientTest {

    static Stream<Arguments> models() {
        Dataset regression = Dataset.linear(6, 3, 0.1, 1);
        Dataset blobs = Dataset.blobs(6, 3, 3, 1.0, 2);
        Dataset bars = Dataset.bars(6, 5, 4, 0.2, 3);
        return Stream.of(
                Arguments.of("linear regression", new Network(new int[] {3, 1}, Activation.RELU, false), regression),
                Arguments.of("softmax regression", new Network(new int[] {3, 3}, Activation.RELU, true), blobs),
                Arguments.of("mlp tanh regression", new Network(new int[] {3, 4, 1}, Activation.TANH, false), regression),
                Arguments.of("mlp sigmoid classifier", new Network(new int[] {3, 5, 4, 3}, Activation.SIGMOID, true), blobs),
                Arguments.of("mlp relu classifier", new Network(new int[] {3, 6, 3}, Activation.RELU, true), blobs),
                Arguments.of("cnn tanh, no hidden layer", new ConvNet(5, 2, 3, List.of(), Activation.TANH, 4), bars),
                Arguments.of("cnn relu with a hidden layer", new ConvNet(5, 3, 2, List.of(4), Activation.RELU, 4), bars));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    <S> void gradientMatchesFiniteDifferences(String name, Model<S> model, Dataset data) {
        double[] p = model.initialParameters(7);
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.1 * r.nextGaussian(); // move biases off zero so every parameter matters
        }
        int[] all = TrainingRun.permutation(data.size(), 0);
        S s = model.newScratch();
        double[] grad = new double[p.length];
        model.accumulate(p, data, all, 0, all.length, grad, s);

        double h = 1e-6;
        for (int i = 0; i < p.length; i++) {
            double saved = p[i];
            p[i] = saved + h;
            double up = model.accumulate(p, data, all, 0, all.length, new double[p.length], s)[0];
            p[i] = saved - h;
            double down = model.accumulate(p, data, all, 0, all.length, new double[p.length], s)[0];
            p[i] = saved;
            double numeric = (up - down) / (2 * h);
            assertThat(grad[i]).as("parameter %d of %d", i, p.length)
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(numeric))));
        }
    }
}
