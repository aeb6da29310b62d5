package io.berth.agent.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.json.InvalidSpecException;
import io.berth.agent.training.TrainingConfig.Activation;
import io.berth.agent.training.TrainingConfig.DataSpec;
import io.berth.agent.training.TrainingConfig.DataType;
import io.berth.agent.training.TrainingConfig.Generator;
import io.berth.agent.training.TrainingConfig.ModelSpec;
import io.berth.agent.training.TrainingConfig.ModelType;
import io.berth.agent.training.TrainingConfig.OptimizerSpec;
import io.berth.agent.training.TrainingConfig.OptimizerType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainingConfigTest {

    @Test
    void minimalSpecTakesTheDocumentedDefaults() {
        TrainingConfig spec = TrainingConfig.parse("{\"data\":{\"type\":\"generated\",\"generator\":\"xor\"}}");

        assertThat(spec).isEqualTo(new TrainingConfig(
                new ModelSpec(ModelType.MLP, List.of(16, 16), Activation.RELU, 0, 0),
                new DataSpec(DataType.GENERATED, Generator.XOR, 1000, 2, 2, 0.1, 1, null),
                new OptimizerSpec(OptimizerType.ADAM, 0.01, 0.9, 0.9, 0.999, 1e-8),
                32, 10, 1, 42));
    }

    @Test
    void fullSpecFromTheContract() {
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"mlp","hiddenLayers":[16,16],"activation":"tanh"},
                 "data":{"type":"generated","generator":"blobs","samples":2000,"features":5,"classes":4,"noise":0.3,"seed":9},
                 "optimizer":{"type":"momentum","learningRate":0.05,"momentum":0.8},
                 "batchSize":64,"epochs":20,"checkpointEveryEpochs":5,"seed":7}""");

        assertThat(spec).isEqualTo(new TrainingConfig(
                new ModelSpec(ModelType.MLP, List.of(16, 16), Activation.TANH, 0, 0),
                new DataSpec(DataType.GENERATED, Generator.BLOBS, 2000, 5, 4, 0.3, 9, null),
                new OptimizerSpec(OptimizerType.MOMENTUM, 0.05, 0.8, 0.9, 0.999, 1e-8),
                64, 20, 5, 7));
    }

    @Test
    void cnnSpecWithBarsDefaults() {
        TrainingConfig spec = TrainingConfig.parse("""
                {"model":{"type":"cnn","filters":6},"data":{"type":"generated","generator":"bars","classes":4}}""");

        assertThat(spec.model()).isEqualTo(new ModelSpec(ModelType.CNN, List.of(), Activation.RELU, 6, 3));
        assertThat(spec.data()).isEqualTo(new DataSpec(DataType.GENERATED, Generator.BARS, 1000, 64, 4, 0.1, 1, null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            filters on an mlp            | {"model":{"type":"mlp","filters":4},"data":{"type":"csv","path":"a"}}          | model.filters       | only for model type cnn
            huge kernel                  | {"model":{"type":"cnn","kernelSize":99},"data":{"type":"csv","path":"a"}}      | model.kernelSize    | between 1 and 15
            bars on a non-square         | {"data":{"type":"generated","generator":"bars","features":10}}                 | data.features       | square number
            five bar classes             | {"data":{"type":"generated","generator":"bars","classes":5}}                   | data.classes        | between 2 and 4
            missing data                 | {}                                                                              | data                | is required
            unknown top-level field      | {"data":{"type":"csv","path":"a.csv"},"epoch":3}                                | epoch               | unknown field
            bad model type               | {"model":{"type":"cnn3d"},"data":{"type":"csv","path":"a"}}                    | model.type          | must be one of [linear, mlp, cnn]
            negative hidden width        | {"model":{"hiddenLayers":[8,-1]},"data":{"type":"csv","path":"a"}}             | model.hiddenLayers[1] | must be between 1 and 100000
            hidden layers on linear      | {"model":{"type":"linear","hiddenLayers":[4]},"data":{"type":"csv","path":"a"}} | model.hiddenLayers  | must be empty
            bad activation               | {"model":{"activation":"gelu"},"data":{"type":"csv","path":"a"}}               | model.activation    | must be one of [relu, tanh, sigmoid]
            csv without path             | {"data":{"type":"csv"}}                                                         | data.path           | is required
            unknown generator            | {"data":{"type":"generated","generator":"moons"}}                              | data.generator      | must be one of
            xor with 3 features          | {"data":{"type":"generated","generator":"xor","features":3}}                   | data.features       | exactly 2 features
            classes on linear generator  | {"data":{"type":"generated","generator":"linear","classes":2}}                 | data.classes        | not allowed
            one class                    | {"data":{"type":"generated","generator":"blobs","classes":1}}                  | data.classes        | between 2 and 1000
            zero samples                 | {"data":{"type":"generated","generator":"blobs","samples":0}}                  | data.samples        | between 1 and
            fractional samples           | {"data":{"type":"generated","generator":"blobs","samples":1.5}}                | data.samples        | must be an integer
            negative noise               | {"data":{"type":"generated","generator":"blobs","noise":-1}}                   | data.noise          | between 0.0 and
            zero learning rate           | {"data":{"type":"csv","path":"a"},"optimizer":{"learningRate":0}}              | optimizer.learningRate | between
            string batch size            | {"data":{"type":"csv","path":"a"},"batchSize":"64"}                            | batchSize           | must be an integer
            zero epochs                  | {"data":{"type":"csv","path":"a"},"epochs":0}                                  | epochs              | between 1 and
            negative checkpoint interval | {"data":{"type":"csv","path":"a"},"checkpointEveryEpochs":-1}                  | checkpointEveryEpochs | between 0 and
            not json                     | {"data":                                                                        | ''                  | not well-formed
            """)
    void rejectsInvalidSpecNamingTheField(String name, String json, String field, String problem) {
        assertThatThrownBy(() -> TrainingConfig.parse(json))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.problem()).contains(problem);
                });
    }
}
