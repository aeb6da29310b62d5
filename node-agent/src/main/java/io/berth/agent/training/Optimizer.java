package io.berth.agent.training;

import io.berth.agent.training.TrainingConfig.OptimizerSpec;

/**
 * Updates parameters in place from an averaged gradient. The whole state is a list of arrays plus a
 * step counter so it can be checkpointed ({@link #state()}) and restored ({@link #restore}). Not
 * thread-safe: called by the training loop's coordinating thread only.
 */
abstract sealed class Optimizer {
    protected long step;

    static Optimizer create(OptimizerSpec spec, int parameterCount) {
        return switch (spec.type()) {
            case SGD -> new Sgd(spec);
            case MOMENTUM -> new Momentum(spec, parameterCount);
            case ADAM -> new Adam(spec, parameterCount);
        };
    }

    abstract void apply(double[] params, double[] grad);

    final void step(double[] params, double[] grad) {
        step++;
        apply(params, grad);
    }

    long steps() {
        return step;
    }

    abstract double[][] state();

    void restore(long steps, double[][] state) {
        double[][] own = state();
        if (state.length != own.length) {
            throw new IllegalArgumentException("optimizer state has " + state.length + " arrays, expected " + own.length);
        }
        for (int i = 0; i < own.length; i++) {
            if (state[i].length != own[i].length) {
                throw new IllegalArgumentException("optimizer state array " + i + " has the wrong length");
            }
            System.arraycopy(state[i], 0, own[i], 0, own[i].length);
        }
        this.step = steps;
    }

    /** p -= lr * g */
    static final class Sgd extends Optimizer {
        private final double lr;

        Sgd(OptimizerSpec s) {
            lr = s.learningRate();
        }

        @Override
        void apply(double[] p, double[] g) {
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * g[i];
            }
        }

        @Override
        double[][] state() {
            return new double[0][];
        }
    }

    /** v = mu * v + g; p -= lr * v (heavy ball) */
    static final class Momentum extends Optimizer {
        private final double lr;
        private final double mu;
        private final double[] v;

        Momentum(OptimizerSpec s, int n) {
            lr = s.learningRate();
            mu = s.momentum();
            v = new double[n];
        }

        @Override
        void apply(double[] p, double[] g) {
            for (int i = 0; i < p.length; i++) {
                v[i] = mu * v[i] + g[i];
                p[i] -= lr * v[i];
            }
        }

        @Override
        double[][] state() {
            return new double[][] {v};
        }
    }

    /** Adam (Kingma and Ba) with bias correction. */
    static final class Adam extends Optimizer {
        private final double lr;
        private final double b1;
        private final double b2;
        private final double eps;
        private final double[] m;
        private final double[] v;

        Adam(OptimizerSpec s, int n) {
            lr = s.learningRate();
            b1 = s.beta1();
            b2 = s.beta2();
            eps = s.epsilon();
            m = new double[n];
            v = new double[n];
        }

        @Override
        void apply(double[] p, double[] g) {
            double c1 = 1 - Math.pow(b1, step);
            double c2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < p.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
            }
        }

        @Override
        double[][] state() {
            return new double[][] {m, v};
        }
    }
}
