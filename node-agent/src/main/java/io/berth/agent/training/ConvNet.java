package io.berth.agent.training;

import io.berth.agent.training.TrainingConfig.Activation;
import java.util.List;
import java.util.Random;

/**
 * A small CNN for square single-channel images (features = side x side, row-major): one
 * convolution with {@code filters} kernels of {@code kernel x kernel} (stride 1, no padding), the
 * activation, then a dense {@link Network} head (hidden layers, then softmax or linear output).
 *
 * <p>Parameter layout: kernels {@code K[f][i][j]}, kernel biases {@code c[f]}, then the head's
 * parameters. Immutable; thread-safe with one {@link Scratch} per thread.
 */
final class ConvNet implements Model<ConvNet.Scratch> {
    private final int side;
    private final int filters;
    private final int kernel;
    private final int outSide;
    private final Network head;
    private final int convParameters;

    ConvNet(int side, int filters, int kernel, List<Integer> hidden, Activation activation, int classes) {
        this.side = side;
        this.filters = filters;
        this.kernel = kernel;
        this.outSide = side - kernel + 1;
        this.convParameters = filters * kernel * kernel + filters;
        this.head = new Network(Network.layerSizes(filters * outSide * outSide, hidden, classes), activation, classes > 0,
                convParameters);
    }

    @Override
    public int parameterCount() {
        return convParameters + head.parameterCount();
    }

    @Override
    public String shape() {
        return "conv " + side + "x" + side + " " + filters + "x" + kernel + "x" + kernel + " -> " + head.shape();
    }

    @Override
    public double[] initialParameters(long seed) {
        Random r = new Random(seed);
        double[] p = new double[parameterCount()];
        double limit = Math.sqrt(6.0 / (kernel * kernel));
        for (int k = 0; k < filters * kernel * kernel; k++) {
            p[k] = (r.nextDouble() * 2 - 1) * limit;
        }
        head.initialise(p, r);
        return p;
    }

    final class Scratch {
        final double[] feature = new double[filters * outSide * outSide];
        final double[] featureDelta = new double[feature.length];
        final Network.Scratch head = ConvNet.this.head.newScratch();
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
            double[] x = data.x()[i];
            convolve(p, x, s.feature);
            loss += head.sample(p, s.feature, data.y()[i], grad, s.head, s.featureDelta);
            if (s.head.correct) {
                correct++;
            }
            for (int f = 0; f < filters; f++) {
                int kOff = f * kernel * kernel;
                for (int u = 0; u < outSide; u++) {
                    for (int v = 0; v < outSide; v++) {
                        int o = (f * outSide + u) * outSide + v;
                        double dz = s.featureDelta[o] * head.derivativeFromOutput(s.feature[o]);
                        if (dz == 0) {
                            continue;
                        }
                        grad[filters * kernel * kernel + f] += dz;
                        for (int a = 0; a < kernel; a++) {
                            for (int b = 0; b < kernel; b++) {
                                grad[kOff + a * kernel + b] += dz * x[(u + a) * side + v + b];
                            }
                        }
                    }
                }
            }
        }
        return new double[] {loss, correct};
    }

    @Override
    public double predict(double[] p, double[] x, Scratch s) {
        convolve(p, x, s.feature);
        return head.predict(p, s.feature, s.head);
    }

    /** feature[f][u][v] = act(c[f] + sum_ab K[f][a][b] * x[u+a][v+b]) */
    private void convolve(double[] p, double[] x, double[] feature) {
        for (int f = 0; f < filters; f++) {
            int kOff = f * kernel * kernel;
            double bias = p[filters * kernel * kernel + f];
            for (int u = 0; u < outSide; u++) {
                for (int v = 0; v < outSide; v++) {
                    double z = bias;
                    for (int a = 0; a < kernel; a++) {
                        for (int b = 0; b < kernel; b++) {
                            z += p[kOff + a * kernel + b] * x[(u + a) * side + v + b];
                        }
                    }
                    feature[(f * outSide + u) * outSide + v] = head.activate(z);
                }
            }
        }
    }
}
