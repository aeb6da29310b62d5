package io.berth.agent.training;

import io.berth.agent.training.TrainingConfig.Activation;
import java.util.Random;

/**
 * A fully connected network over a flat parameter vector. With no hidden layers it is linear
 * regression (regression data) or softmax regression (classification data). It is also the dense
 * head of {@link ConvNet}, which places its parameters after the convolution's ({@code base}).
 *
 * <p>Parameter layout from {@code base}, layer by layer: weights {@code W[out][in]} row-major, then
 * biases {@code b[out]}. Loss: softmax cross-entropy for classification, squared error for
 * regression. Stateless apart from its shape, so one instance is shared by all device threads; each
 * thread brings its own {@link Scratch}.
 */
final class Network implements Model<Network.Scratch> {
    private final int[] sizes;
    private final Activation activation;
    private final boolean classification;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int parameterCount;

    /** @param sizes layer widths: input, hidden..., output (classes, or 1 for regression) */
    Network(int[] sizes, Activation activation, boolean classification) {
        this(sizes, activation, classification, 0);
    }

    /** @param base index of this network's first parameter in the parameter vector */
    Network(int[] sizes, Activation activation, boolean classification, int base) {
        this.sizes = sizes.clone();
        this.activation = activation;
        this.classification = classification;
        int layers = sizes.length - 1;
        weightOffset = new int[layers];
        biasOffset = new int[layers];
        int off = base;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = off;
            off += sizes[l] * sizes[l + 1];
            biasOffset[l] = off;
            off += sizes[l + 1];
        }
        parameterCount = off - base;
    }

    static Network forSpec(TrainingConfig.ModelSpec model, int features, int classes) {
        return new Network(layerSizes(features, model.hiddenLayers(), classes), model.activation(), classes > 0);
    }

    static int[] layerSizes(int features, java.util.List<Integer> hidden, int classes) {
        int[] sizes = new int[hidden.size() + 2];
        sizes[0] = features;
        for (int i = 0; i < hidden.size(); i++) {
            sizes[i + 1] = hidden.get(i);
        }
        sizes[sizes.length - 1] = classes > 0 ? classes : 1;
        return sizes;
    }

    @Override
    public int parameterCount() {
        return parameterCount;
    }

    /** Describes the shape; stored in checkpoints so an incompatible checkpoint is refused. */
    @Override
    public String shape() {
        return java.util.Arrays.toString(sizes) + " " + activation + (classification ? " softmax" : " mse");
    }

    /** Uniform Glorot (He for relu) initial weights, zero biases; deterministic per seed. */
    @Override
    public double[] initialParameters(long seed) {
        double[] p = new double[parameterCount];
        initialise(p, new Random(seed));
        return p;
    }

    /** Writes initial values into this network's slice of {@code p}. */
    void initialise(double[] p, Random r) {
        for (int l = 0; l < sizes.length - 1; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double limit = activation == Activation.RELU && l < sizes.length - 2
                    ? Math.sqrt(6.0 / in) : Math.sqrt(6.0 / (in + out));
            for (int k = 0; k < in * out; k++) {
                p[weightOffset[l] + k] = (r.nextDouble() * 2 - 1) * limit;
            }
        }
    }

    /** Per-thread buffers for activations and deltas. */
    final class Scratch {
        final double[][] a = new double[sizes.length][];
        final double[][] delta = new double[sizes.length][];
        boolean correct;

        Scratch() {
            for (int l = 1; l < sizes.length; l++) {
                a[l] = new double[sizes[l]];
                delta[l] = new double[sizes[l]];
            }
        }
    }

    @Override
    public Scratch newScratch() {
        return new Scratch();
    }

    @Override
    public double[] accumulate(double[] p, Dataset data, int[] order, int from, int to, double[] grad, Scratch s) {
        double loss = 0;
        double correct = 0;
        for (int k = from; k < to; k++) {
            int i = order[k];
            loss += sample(p, data.x()[i], data.y()[i], grad, s, null);
            if (s.correct) {
                correct++;
            }
        }
        return new double[] {loss, correct};
    }

    /**
     * Forward and backward pass of one sample: adds its gradient to {@code grad}, sets
     * {@code s.correct}, and when {@code inputDelta} is not null stores dLoss/dInput in it.
     *
     * @return the sample's loss
     */
    double sample(double[] p, double[] x, double y, double[] grad, Scratch s, double[] inputDelta) {
        int last = sizes.length - 1;
        forward(p, x, s);
        double[] out = s.a[last];
        double[] d = s.delta[last];
        double loss;
        if (classification) {
            int label = (int) y;
            loss = -Math.log(Math.max(out[label], 1e-300));
            s.correct = argmax(out) == label;
            for (int c = 0; c < out.length; c++) {
                d[c] = out[c] - (c == label ? 1 : 0);
            }
        } else {
            double err = out[0] - y;
            loss = err * err;
            s.correct = false;
            d[0] = 2 * err;
        }
        backward(p, s, grad, inputDelta);
        return loss;
    }

    /** Predicted class (classification) or value (regression) for one sample. */
    @Override
    public double predict(double[] p, double[] x, Scratch s) {
        forward(p, x, s);
        double[] out = s.a[sizes.length - 1];
        return classification ? argmax(out) : out[0];
    }

    private void forward(double[] p, double[] x, Scratch s) {
        s.a[0] = x;
        int last = sizes.length - 1;
        for (int l = 0; l < last; l++) {
            double[] in = s.a[l];
            double[] out = s.a[l + 1];
            int nIn = sizes[l];
            int w = weightOffset[l];
            for (int o = 0; o < out.length; o++) {
                double z = p[biasOffset[l] + o];
                int row = w + o * nIn;
                for (int j = 0; j < nIn; j++) {
                    z += p[row + j] * in[j];
                }
                out[o] = (l + 1 < last) ? activate(z) : z;
            }
        }
        if (classification) {
            softmaxInPlace(s.a[last]);
        }
    }

    private void backward(double[] p, Scratch s, double[] grad, double[] inputDelta) {
        for (int l = sizes.length - 2; l >= 0; l--) {
            double[] d = s.delta[l + 1];
            double[] in = s.a[l];
            int nIn = sizes[l];
            int w = weightOffset[l];
            for (int o = 0; o < d.length; o++) {
                int row = w + o * nIn;
                double dv = d[o];
                for (int j = 0; j < nIn; j++) {
                    grad[row + j] += dv * in[j];
                }
                grad[biasOffset[l] + o] += dv;
            }
            if (l > 0 || inputDelta != null) {
                double[] prev = l > 0 ? s.delta[l] : inputDelta;
                for (int j = 0; j < nIn; j++) {
                    double sum = 0;
                    for (int o = 0; o < d.length; o++) {
                        sum += p[w + o * nIn + j] * d[o];
                    }
                    prev[j] = l > 0 ? sum * derivativeFromOutput(in[j]) : sum;
                }
            }
        }
    }

    double activate(double z) {
        return switch (activation) {
            case RELU -> z > 0 ? z : 0;
            case TANH -> Math.tanh(z);
            case SIGMOID -> 1 / (1 + Math.exp(-z));
        };
    }

    double derivativeFromOutput(double a) {
        return switch (activation) {
            case RELU -> a > 0 ? 1 : 0;
            case TANH -> 1 - a * a;
            case SIGMOID -> a * (1 - a);
        };
    }

    private static void softmaxInPlace(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int c = 0; c < v.length; c++) {
            v[c] = Math.exp(v[c] - max);
            sum += v[c];
        }
        for (int c = 0; c < v.length; c++) {
            v[c] /= sum;
        }
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }
}
