package io.berth.agent.training;

import io.berth.agent.training.TrainingSpec.Activation;
import java.util.Random;

/**
 * A fully connected network over a flat parameter vector. With no hidden layers it is linear
 * regression (regression data) or softmax regression (classification data).
 *
 * <p>Parameter layout, layer by layer: weights {@code W[out][in]} row-major, then biases {@code b[out]}.
 * Loss: softmax cross-entropy for classification, squared error for regression. Stateless apart from
 * its shape, so one instance is shared by all device threads; each thread brings its own
 * {@link Scratch}.
 */
final class Network {
    private final int[] sizes;
    private final Activation activation;
    private final boolean classification;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int parameterCount;

    /** @param sizes layer widths: input, hidden..., output (classes, or 1 for regression) */
    Network(int[] sizes, Activation activation, boolean classification) {
        this.sizes = sizes.clone();
        this.activation = activation;
        this.classification = classification;
        int layers = sizes.length - 1;
        weightOffset = new int[layers];
        biasOffset = new int[layers];
        int off = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = off;
            off += sizes[l] * sizes[l + 1];
            biasOffset[l] = off;
            off += sizes[l + 1];
        }
        parameterCount = off;
    }

    static Network forSpec(TrainingSpec.ModelSpec model, int features, int classes) {
        int[] sizes = new int[model.hiddenLayers().size() + 2];
        sizes[0] = features;
        for (int i = 0; i < model.hiddenLayers().size(); i++) {
            sizes[i + 1] = model.hiddenLayers().get(i);
        }
        sizes[sizes.length - 1] = classes > 0 ? classes : 1;
        return new Network(sizes, model.activation(), classes > 0);
    }

    int parameterCount() {
        return parameterCount;
    }

    /** Describes the shape; stored in checkpoints so an incompatible checkpoint is refused. */
    String shape() {
        return java.util.Arrays.toString(sizes) + " " + activation + (classification ? " softmax" : " mse");
    }

    /** Uniform Glorot (He for relu) initial weights, zero biases; deterministic per seed. */
    double[] initialParameters(long seed) {
        Random r = new Random(seed);
        double[] p = new double[parameterCount];
        for (int l = 0; l < sizes.length - 1; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double limit = activation == Activation.RELU && l < sizes.length - 2
                    ? Math.sqrt(6.0 / in) : Math.sqrt(6.0 / (in + out));
            for (int k = 0; k < in * out; k++) {
                p[weightOffset[l] + k] = (r.nextDouble() * 2 - 1) * limit;
            }
        }
        return p;
    }

    /** Per-thread buffers for activations and deltas. */
    final class Scratch {
        final double[][] a = new double[sizes.length][];
        final double[][] delta = new double[sizes.length][];

        Scratch() {
            for (int l = 1; l < sizes.length; l++) {
                a[l] = new double[sizes[l]];
                delta[l] = new double[sizes[l]];
            }
        }
    }

    Scratch newScratch() {
        return new Scratch();
    }

    /**
     * Adds the gradient of the summed loss over samples {@code order[from..to)} to {@code grad} and
     * returns {@code {lossSum, correctCount}} (correctCount is 0 for regression).
     */
    double[] accumulate(double[] p, Dataset data, int[] order, int from, int to, double[] grad, Scratch s) {
        double loss = 0;
        double correct = 0;
        int last = sizes.length - 1;
        for (int k = from; k < to; k++) {
            int i = order[k];
            forward(p, data.x()[i], s);
            double[] out = s.a[last];
            double[] d = s.delta[last];
            if (classification) {
                int label = (int) data.y()[i];
                loss -= Math.log(Math.max(out[label], 1e-300));
                if (argmax(out) == label) {
                    correct++;
                }
                for (int c = 0; c < out.length; c++) {
                    d[c] = out[c] - (c == label ? 1 : 0);
                }
            } else {
                double err = out[0] - data.y()[i];
                loss += err * err;
                d[0] = 2 * err;
            }
            backward(p, s, grad);
        }
        return new double[] {loss, correct};
    }

    /** Predicted class (classification) or value (regression) for one sample. */
    double predict(double[] p, double[] x, Scratch s) {
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

    private void backward(double[] p, Scratch s, double[] grad) {
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
            if (l > 0) {
                double[] prev = s.delta[l];
                for (int j = 0; j < nIn; j++) {
                    double sum = 0;
                    for (int o = 0; o < d.length; o++) {
                        sum += p[w + o * nIn + j] * d[o];
                    }
                    prev[j] = sum * derivativeFromOutput(in[j]);
                }
            }
        }
    }

    private double activate(double z) {
        return switch (activation) {
            case RELU -> z > 0 ? z : 0;
            case TANH -> Math.tanh(z);
            case SIGMOID -> 1 / (1 + Math.exp(-z));
        };
    }

    private double derivativeFromOutput(double a) {
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
