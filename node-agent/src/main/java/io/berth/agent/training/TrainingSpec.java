package io.berth.agent.training;

import io.berth.agent.json.InvalidSpecException;
import io.berth.agent.json.SpecObject;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded training run's configuration: the job's training spec ({@code runtime.embedded}, the
 * record {@link io.berth.core.spec.TrainingSpec} both sides bind) with every default filled in and
 * the names resolved to enums. The control plane checks the spec at submission; {@link #of} checks it
 * again (the agent may be newer or older than the control plane) and names the offending field.
 * Immutable.
 *
 * <pre>{@code
 * {"model":{"type":"mlp","hiddenLayers":[16,16],"activation":"relu"},
 *  "data":{"type":"generated","generator":"spirals","samples":2000,"features":2,"classes":3,"noise":0.1,"seed":1},
 *  "optimizer":{"type":"adam","learningRate":0.01},
 *  "batchSize":64,"epochs":20,"checkpointEveryEpochs":1,"seed":42}
 * }</pre>
 *
 * Defaults: model mlp [16,16] relu (cnn: 4 filters, kernel 3, no hidden layers); optimizer adam 0.01; batchSize 32; epochs 10;
 * checkpointEveryEpochs 1 (0 = only at the end); seed 42. {@code data} is required.
 *
 * @param batchSize             global batch size per replica, split across its device threads
 * @param checkpointEveryEpochs write a checkpoint every N epochs and after the last; 0 = only after the last
 * @param seed                  seeds parameter initialisation and the per-epoch shuffle
 */
public record TrainingSpec(ModelSpec model, DataSpec data, OptimizerSpec optimizer,
                           int batchSize, int epochs, int checkpointEveryEpochs, long seed) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public enum ModelType { LINEAR, MLP, CNN }

    public enum Activation { RELU, TANH, SIGMOID }

    public enum DataType { GENERATED, CSV }

    public enum Generator { LINEAR, XOR, SPIRALS, BLOBS, BARS }

    public enum OptimizerType { SGD, MOMENTUM, ADAM }

    /**
     * @param hiddenLayers widths of the hidden (dense) layers; always empty for LINEAR (softmax
     *                     regression on classification data, linear regression on regression data)
     * @param filters      CNN only (else 0): number of convolution kernels, default 4
     * @param kernelSize   CNN only (else 0): kernel side, default 3
     */
    public record ModelSpec(ModelType type, List<Integer> hiddenLayers, Activation activation, int filters, int kernelSize) {
    }

    /**
     * @param generator for GENERATED; null for CSV
     * @param samples   number of generated samples
     * @param features  input dimension of generated data (xor and spirals: always 2; bars: side x side
     *                  pixels, default 64)
     * @param classes   number of classes; 0 = regression (linear generator, or a CSV without "classes")
     * @param noise     standard deviation of the Gaussian noise added to each feature (xor, spirals,
     *                  blobs; blobs use it as the cluster spread) or to the target (linear)
     * @param path      CSV file for CSV: numeric columns, last column = target (regression) or class
     *                  index 0..classes-1; an optional non-numeric header row is skipped
     */
    public record DataSpec(DataType type, Generator generator, int samples, int features, int classes,
                           double noise, long seed, String path) {

        public boolean classification() {
            return classes > 0;
        }
    }

    /**
     * @param momentum for MOMENTUM (default 0.9)
     * @param beta1    for ADAM (default 0.9)
     * @param beta2    for ADAM (default 0.999)
     * @param epsilon  for ADAM (default 1e-8)
     */
    public record OptimizerSpec(OptimizerType type, double learningRate, double momentum,
                                double beta1, double beta2, double epsilon) {
    }

    /** Resolves the job's training spec; throws {@link InvalidSpecException} naming the offending field. */
    public static TrainingSpec of(io.berth.core.spec.TrainingSpec spec) {
        if (spec == null) {
            throw new InvalidSpecException("", "the embedded runtime has no training spec");
        }
        // the record's null fields are left out of its JSON: the defaults below apply to exactly those
        return fromJson(JSON.valueToTree(spec));
    }

    /** Parses and validates; throws {@link InvalidSpecException} naming the offending field. */
    public static TrainingSpec parse(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw InvalidSpecException.unreadable("training spec", e);
        }
        return fromJson(node);
    }

    /** Validates an already-parsed document; throws {@link InvalidSpecException} naming the offending field. */
    public static TrainingSpec fromJson(JsonNode node) {
        SpecObject root = SpecObject.root(node)
                .allowOnly("model", "data", "optimizer", "batchSize", "epochs", "checkpointEveryEpochs", "seed");
        ModelSpec model = root.object("model").map(TrainingSpec::model)
                .orElse(new ModelSpec(ModelType.MLP, List.of(16, 16), Activation.RELU, 0, 0));
        DataSpec data = data(root.requireObject("data"));
        OptimizerSpec optimizer = root.object("optimizer").map(TrainingSpec::optimizer)
                .orElse(new OptimizerSpec(OptimizerType.ADAM, 0.01, 0.9, 0.9, 0.999, 1e-8));
        return new TrainingSpec(model, data, optimizer,
                root.integer("batchSize", 32, 1, 1_000_000),
                root.integer("epochs", 10, 1, 1_000_000),
                root.integer("checkpointEveryEpochs", 1, 0, 1_000_000),
                root.longValue("seed", 42L, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private static ModelSpec model(SpecObject o) {
        o.allowOnly("type", "hiddenLayers", "activation", "filters", "kernelSize");
        ModelType type = o.enumValue("type", ModelType.class, ModelType.MLP);
        Activation activation = o.enumValue("activation", Activation.class, Activation.RELU);
        if (type != ModelType.CNN) {
            for (String cnnOnly : List.of("filters", "kernelSize")) {
                if (o.has(cnnOnly)) {
                    throw new InvalidSpecException(o.pathOf(cnnOnly), "only for model type cnn");
                }
            }
        }
        return switch (type) {
            case LINEAR -> {
                if (!o.intList("hiddenLayers", List.of(), 1, 100_000, 64).isEmpty()) {
                    throw new InvalidSpecException(o.pathOf("hiddenLayers"), "must be empty for model type linear");
                }
                yield new ModelSpec(type, List.of(), activation, 0, 0);
            }
            case MLP -> new ModelSpec(type, o.intList("hiddenLayers", List.of(16, 16), 1, 100_000, 64), activation, 0, 0);
            case CNN -> new ModelSpec(type, o.intList("hiddenLayers", List.of(), 1, 100_000, 64), activation,
                    o.integer("filters", 4, 1, 256), o.integer("kernelSize", 3, 1, 15));
        };
    }

    private static DataSpec data(SpecObject o) {
        DataType type = o.enumValue("type", DataType.class, null);
        if (type == DataType.CSV) {
            o.allowOnly("type", "path", "classes");
            return new DataSpec(type, null, 0, 0, o.integer("classes", 0, 0, 100_000), 0, 0, o.string("path", null));
        }
        o.allowOnly("type", "generator", "samples", "features", "classes", "noise", "seed");
        Generator generator = o.enumValue("generator", Generator.class, null);
        int samples = o.integer("samples", 1000, 1, 10_000_000);
        int features = o.integer("features", generator == Generator.BARS ? 64 : 2, 1, 10_000);
        if ((generator == Generator.XOR || generator == Generator.SPIRALS) && features != 2) {
            throw new InvalidSpecException(o.pathOf("features"),
                    "the " + generator.name().toLowerCase() + " generator produces exactly 2 features");
        }
        int side = (int) Math.round(Math.sqrt(features));
        if (generator == Generator.BARS && (side * side != features || side < 2)) {
            throw new InvalidSpecException(o.pathOf("features"), "the bars generator needs a square number >= 4 (side x side pixels)");
        }
        int classes;
        if (generator == Generator.LINEAR) {
            if (o.has("classes")) {
                throw new InvalidSpecException(o.pathOf("classes"), "not allowed for the linear (regression) generator");
            }
            classes = 0;
        } else if (generator == Generator.XOR) {
            classes = o.integer("classes", 2, 2, 2);
        } else if (generator == Generator.BARS) {
            classes = o.integer("classes", 2, 2, 4);
        } else {
            classes = o.integer("classes", 2, 2, 1000);
        }
        return new DataSpec(type, generator, samples, features, classes,
                o.number("noise", 0.1, 0, 100), o.longValue("seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE), null);
    }

    private static OptimizerSpec optimizer(SpecObject o) {
        o.allowOnly("type", "learningRate", "momentum", "beta1", "beta2", "epsilon");
        OptimizerType type = o.enumValue("type", OptimizerType.class, OptimizerType.ADAM);
        double lr = o.number("learningRate", 0.01, Double.MIN_VALUE, 100);
        return new OptimizerSpec(type, lr,
                o.number("momentum", 0.9, 0, 0.999999),
                o.number("beta1", 0.9, 0, 0.999999),
                o.number("beta2", 0.999, 0, 0.999999999),
                o.number("epsilon", 1e-8, Double.MIN_VALUE, 1));
    }
}
