package io.berth.agent.training;

import io.berth.agent.json.InvalidSpecException;

/**
 * A differentiable model over a flat parameter vector. Implementations are immutable and shared by
 * all device threads; per-thread buffers live in the scratch object {@code S}.
 */
interface Model<S> {

    int parameterCount();

    /** Describes the architecture; stored in checkpoints so an incompatible checkpoint is refused. */
    String shape();

    /** Deterministic per seed. */
    double[] initialParameters(long seed);

    S newScratch();

    /**
     * Adds the gradient of the summed loss over samples {@code order[from..to)} to {@code grad} and
     * returns {@code {lossSum, correctCount}} (correctCount is 0 for regression).
     */
    double[] accumulate(double[] p, Dataset data, int[] order, int from, int to, double[] grad, S scratch);

    /** Predicted class (classification) or value (regression) for one sample. */
    double predict(double[] p, double[] x, S scratch);

    static Model<?> forSpec(TrainingConfig.ModelSpec spec, int features, int classes) {
        return switch (spec.type()) {
            case LINEAR, MLP -> Network.forSpec(spec, features, classes);
            case CNN -> {
                int side = (int) Math.round(Math.sqrt(features));
                if (side * side != features) {
                    throw new InvalidSpecException("model.type", "cnn needs square single-channel images but the data has "
                            + features + " features");
                }
                if (spec.kernelSize() > side) {
                    throw new InvalidSpecException("model.kernelSize", "must not exceed the image side " + side);
                }
                yield new ConvNet(side, spec.filters(), spec.kernelSize(), spec.hiddenLayers(), spec.activation(), classes);
            }
        };
    }
}
