package io.berth.agent.training;

import io.berth.agent.json.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
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
public record TrainingConfig(ModelSpec model, DataSpec data, OptimizerSpec optimizer,
                           int batchSize, int epochs, int checkpointEveryEpochs, long seed) {

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

    /**
     * Resolves the job's training spec (the record the assignment carries): every default filled in, names
     * resolved, ranges and rules across fields checked. Throws {@link InvalidSpecException} naming the offending
     * field.
     */
    public static TrainingConfig of(io.berth.core.spec.TrainingSpec spec) {
        if (spec == null) {
            throw new InvalidSpecException("", "the embedded runtime has no training spec");
        }
        ModelSpec model = spec.model() == null ? new ModelSpec(ModelType.MLP, List.of(16, 16), Activation.RELU, 0, 0)
                : model(spec.model());
        if (spec.data() == null) {
            throw new InvalidSpecException("data", "is required");
        }
        DataSpec data = data(spec.data());
        OptimizerSpec optimizer = spec.optimizer() == null
                ? new OptimizerSpec(OptimizerType.ADAM, 0.01, 0.9, 0.9, 0.999, 1e-8) : optimizer(spec.optimizer());
        return new TrainingConfig(model, data, optimizer,
                (int) integer("batchSize", spec.batchSize(), 32, 1, 1_000_000),
                (int) integer("epochs", spec.epochs(), 10, 1, 1_000_000),
                (int) integer("checkpointEveryEpochs", spec.checkpointEveryEpochs(), 1, 0, 1_000_000),
                spec.seed() == null ? 42L : spec.seed());
    }

    /**
     * Reads a training spec document strictly (unknown fields, strings for numbers and fractions for integers are
     * refused) and resolves it with {@link #of}; throws {@link InvalidSpecException} naming the offending field.
     */
    public static TrainingConfig parse(String json) {
        io.berth.core.spec.TrainingSpec wire;
        try {
            wire = STRICT.readValue(json, io.berth.core.spec.TrainingSpec.class);
        } catch (UnrecognizedPropertyException e) {
            Set<String> allowed = new TreeSet<>();
            e.getKnownPropertyIds().forEach(id -> allowed.add(String.valueOf(id)));
            throw new InvalidSpecException(path(e), "unknown field (allowed: " + String.join(", ", allowed) + ")");
        } catch (MismatchedInputException e) {
            Class<?> t = e.getTargetType();
            String what = t == Integer.class || t == Long.class || t == int.class || t == long.class ? "an integer"
                    : t == Double.class || t == double.class ? "a number"
                    : t == String.class ? "a string" : List.class.isAssignableFrom(t == null ? Object.class : t)
                    ? "a list of integers" : "an object";
            Object value = e instanceof InvalidFormatException f ? f.getValue() : null;
            throw new InvalidSpecException(path(e), "must be " + what + (value == null ? "" : " but was " + value));
        } catch (JacksonException e) {
            throw InvalidSpecException.unreadable("training spec", e);
        }
        return of(wire);
    }

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static ModelSpec model(io.berth.core.spec.TrainingSpec.Model m) {
        ModelType type = enumValue("model.type", m.type(), ModelType.class, ModelType.MLP);
        Activation activation = enumValue("model.activation", m.activation(), Activation.class, Activation.RELU);
        if (type != ModelType.CNN) {
            if (m.filters() != null) {
                throw new InvalidSpecException("model.filters", "only for model type cnn");
            }
            if (m.kernelSize() != null) {
                throw new InvalidSpecException("model.kernelSize", "only for model type cnn");
            }
        }
        return switch (type) {
            case LINEAR -> {
                if (!intList("model.hiddenLayers", m.hiddenLayers(), List.of()).isEmpty()) {
                    throw new InvalidSpecException("model.hiddenLayers", "must be empty for model type linear");
                }
                yield new ModelSpec(type, List.of(), activation, 0, 0);
            }
            case MLP -> new ModelSpec(type, intList("model.hiddenLayers", m.hiddenLayers(), List.of(16, 16)), activation, 0, 0);
            case CNN -> new ModelSpec(type, intList("model.hiddenLayers", m.hiddenLayers(), List.of()), activation,
                    (int) integer("model.filters", m.filters(), 4, 1, 256),
                    (int) integer("model.kernelSize", m.kernelSize(), 3, 1, 15));
        };
    }

    private static DataSpec data(io.berth.core.spec.TrainingSpec.Data d) {
        DataType type = enumValue("data.type", d.type(), DataType.class, null);
        if (type == DataType.CSV) {
            onlyFields(d.generator() == null && d.samples() == null && d.features() == null && d.noise() == null
                    && d.seed() == null, "data", d.generator() != null ? "generator" : d.samples() != null ? "samples"
                    : d.features() != null ? "features" : d.noise() != null ? "noise" : "seed", "classes", "path", "type");
            if (d.path() == null) {
                throw new InvalidSpecException("data.path", "is required");
            }
            if (d.path().isBlank()) {
                throw new InvalidSpecException("data.path", "must be a non-blank string");
            }
            return new DataSpec(type, null, 0, 0, (int) integer("data.classes", d.classes(), 0, 0, 100_000), 0, 0, d.path());
        }
        onlyFields(d.path() == null, "data", "path", "classes", "features", "generator", "noise", "samples", "seed", "type");
        Generator generator = enumValue("data.generator", d.generator(), Generator.class, null);
        int samples = (int) integer("data.samples", d.samples(), 1000, 1, 10_000_000);
        int features = (int) integer("data.features", d.features(), generator == Generator.BARS ? 64 : 2, 1, 10_000);
        if ((generator == Generator.XOR || generator == Generator.SPIRALS) && features != 2) {
            throw new InvalidSpecException("data.features",
                    "the " + generator.name().toLowerCase(Locale.ROOT) + " generator produces exactly 2 features");
        }
        int side = (int) Math.round(Math.sqrt(features));
        if (generator == Generator.BARS && (side * side != features || side < 2)) {
            throw new InvalidSpecException("data.features", "the bars generator needs a square number >= 4 (side x side pixels)");
        }
        int classes;
        if (generator == Generator.LINEAR) {
            if (d.classes() != null) {
                throw new InvalidSpecException("data.classes", "not allowed for the linear (regression) generator");
            }
            classes = 0;
        } else if (generator == Generator.XOR) {
            classes = (int) integer("data.classes", d.classes(), 2, 2, 2);
        } else if (generator == Generator.BARS) {
            classes = (int) integer("data.classes", d.classes(), 2, 2, 4);
        } else {
            classes = (int) integer("data.classes", d.classes(), 2, 2, 1000);
        }
        return new DataSpec(type, generator, samples, features, classes, number("data.noise", d.noise(), 0.1, 0, 100),
                d.seed() == null ? 1L : d.seed(), null);
    }

    private static OptimizerSpec optimizer(io.berth.core.spec.TrainingSpec.Optimizer o) {
        OptimizerType type = enumValue("optimizer.type", o.type(), OptimizerType.class, OptimizerType.ADAM);
        return new OptimizerSpec(type,
                number("optimizer.learningRate", o.learningRate(), 0.01, Double.MIN_VALUE, 100),
                number("optimizer.momentum", o.momentum(), 0.9, 0, 0.999999),
                number("optimizer.beta1", o.beta1(), 0.9, 0, 0.999999),
                number("optimizer.beta2", o.beta2(), 0.999, 0, 0.999999999),
                number("optimizer.epsilon", o.epsilon(), 1e-8, Double.MIN_VALUE, 1));
    }

    /** {@code ok}, or the field {@code extra} of {@code at} is not one of {@code allowed} for this kind. */
    private static void onlyFields(boolean ok, String at, String extra, String... allowed) {
        if (!ok) {
            throw new InvalidSpecException(at + "." + extra, "unknown field (allowed: "
                    + String.join(", ", new TreeSet<>(List.of(allowed))) + ")");
        }
    }

    /** One of {@code type}'s constants, matched case-insensitively; {@code def == null} means required. */
    private static <E extends Enum<E>> E enumValue(String field, String value, Class<E> type, E def) {
        if (value == null) {
            if (def == null) {
                throw new InvalidSpecException(field, "is required");
            }
            return def;
        }
        List<String> allowed = new ArrayList<>();
        for (E c : type.getEnumConstants()) {
            allowed.add(c.name().toLowerCase(Locale.ROOT));
            if (c.name().equalsIgnoreCase(value)) {
                return c;
            }
        }
        throw new InvalidSpecException(field, "must be one of " + allowed + " but was \"" + value + "\"");
    }

    private static long integer(String field, Number value, long def, long min, long max) {
        if (value == null) {
            return def;
        }
        long n = value.longValue();
        if (n < min || n > max) {
            throw new InvalidSpecException(field, "must be between " + min + " and " + max + " but was " + n);
        }
        return n;
    }

    private static double number(String field, Double value, double def, double min, double max) {
        if (value == null) {
            return def;
        }
        if (!Double.isFinite(value) || value < min || value > max) {
            throw new InvalidSpecException(field, "must be between " + min + " and " + max + " but was " + value);
        }
        return value;
    }

    /** Widths of layers, each 1..100000, at most 64; null means {@code def}. */
    private static List<Integer> intList(String field, List<Integer> value, List<Integer> def) {
        if (value == null) {
            return def;
        }
        if (value.size() > 64) {
            throw new InvalidSpecException(field, "must have at most 64 entries");
        }
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i) == null) {
                throw new InvalidSpecException(field + "[" + i + "]", "must be an integer but was null");
            }
            integer(field + "[" + i + "]", value.get(i), 0, 1, 100_000);
        }
        return List.copyOf(value);
    }
}
