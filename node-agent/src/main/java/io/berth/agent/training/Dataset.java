package io.berth.agent.training;

import io.berth.agent.json.InvalidSpecException;
import io.berth.agent.training.TrainingConfig.DataSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * In-memory training data. {@code y[i]} is the target (regression, {@code classes == 0}) or the
 * class index 0..classes-1 stored as a double (classification). Arrays are shared, never copied:
 * treat as read-only after construction. Thread-safe for concurrent reads.
 */
record Dataset(double[][] x, double[] y, int classes) {

    int size() {
        return y.length;
    }

    int features() {
        return x.length == 0 ? 0 : x[0].length;
    }

    boolean classification() {
        return classes > 0;
    }

    /** Samples i with {@code i % worldSize == rank}, in order (replica sharding). */
    Dataset shard(int rank, int worldSize) {
        if (worldSize <= 1) {
            return this;
        }
        int n = (size() - rank + worldSize - 1) / worldSize;
        double[][] sx = new double[n][];
        double[] sy = new double[n];
        for (int k = 0, i = rank; i < size(); i += worldSize, k++) {
            sx[k] = x[i];
            sy[k] = y[i];
        }
        return new Dataset(sx, sy, classes);
    }

    /**
     * Builds the data described by {@code spec}; deterministic for a given spec.
     *
     * @param baseDir directory a relative CSV path is resolved against
     */
    static Dataset load(DataSpec spec, Path baseDir) {
        return switch (spec.type()) {
            case CSV -> csv(baseDir.resolve(spec.path()), spec.classes());
            case GENERATED -> switch (spec.generator()) {
                case LINEAR -> linear(spec.samples(), spec.features(), spec.noise(), spec.seed());
                case XOR -> xor(spec.samples(), spec.noise(), spec.seed());
                case SPIRALS -> spirals(spec.samples(), spec.classes(), spec.noise(), spec.seed());
                case BLOBS -> blobs(spec.samples(), spec.features(), spec.classes(), spec.noise(), spec.seed());
                case BARS -> bars(spec.samples(), (int) Math.round(Math.sqrt(spec.features())), spec.classes(), spec.noise(), spec.seed());
            };
        };
    }

    /** y = w.x + b + noise, x uniform in [-1, 1]^d, w uniform in [-2, 2]^d, b uniform in [-1, 1]. */
    static Dataset linear(int n, int d, double noise, long seed) {
        Random r = new Random(seed);
        double[] w = new double[d];
        for (int j = 0; j < d; j++) {
            w[j] = r.nextDouble() * 4 - 2;
        }
        double b = r.nextDouble() * 2 - 1;
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double t = b;
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextDouble() * 2 - 1;
                t += w[j] * x[i][j];
            }
            y[i] = t + noise * r.nextGaussian();
        }
        return new Dataset(x, y, 0);
    }

    /** Points uniform in [-1, 1]^2; class 1 when x0 and x1 have different signs; features then jittered by noise. */
    static Dataset xor(int n, double noise, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double a = r.nextDouble() * 2 - 1;
            double b = r.nextDouble() * 2 - 1;
            y[i] = (a * b < 0) ? 1 : 0;
            x[i][0] = a + noise * r.nextGaussian();
            x[i][1] = b + noise * r.nextGaussian();
        }
        return new Dataset(x, y, 2);
    }

    /** K interleaved spiral arms (sample i is in class i % K), radius 0..1, 1.5 turns; features jittered by noise. */
    static Dataset spirals(int n, int k, double noise, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            double t = (double) (i / k) / Math.max(1, (n + k - 1) / k - 1);
            double angle = t * 3 * Math.PI + 2 * Math.PI * c / k;
            x[i][0] = t * Math.sin(angle) + noise * r.nextGaussian();
            x[i][1] = t * Math.cos(angle) + noise * r.nextGaussian();
            y[i] = c;
        }
        return new Dataset(x, y, k);
    }

    /** K Gaussian clusters (sample i in class i % K), centres uniform in [-3, 3]^d, standard deviation = noise. */
    static Dataset blobs(int n, int d, int k, double noise, long seed) {
        Random r = new Random(seed);
        double[][] centres = new double[k][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = r.nextDouble() * 6 - 3;
            }
        }
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            for (int j = 0; j < d; j++) {
                x[i][j] = centres[c][j] + noise * r.nextGaussian();
            }
            y[i] = c;
        }
        return new Dataset(x, y, k);
    }

    /**
     * side x side images (row-major) of one bright line (pixels 1, others 0) plus Gaussian noise:
     * sample i has class i % K, 0 = horizontal line, 1 = vertical, 2 = diagonal, 3 = anti-diagonal,
     * at a random row/column (classes 0, 1) or full length (2, 3).
     */
    static Dataset bars(int n, int side, int k, double noise, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][side * side];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            int at = r.nextInt(side);
            for (int t = 0; t < side; t++) {
                int row = switch (c) {
                    case 0 -> at;
                    case 1, 2 -> t;
                    default -> t;
                };
                int col = switch (c) {
                    case 0 -> t;
                    case 1 -> at;
                    case 2 -> t;
                    default -> side - 1 - t;
                };
                x[i][row * side + col] = 1;
            }
            for (int j = 0; j < side * side; j++) {
                x[i][j] += noise * r.nextGaussian();
            }
            y[i] = c;
        }
        return new Dataset(x, y, k);
    }

    /**
     * Reads a numeric CSV (comma separated, last column = target). A first row that is not numeric is
     * taken as a header. With {@code classes > 0} the target must be an integer in [0, classes).
     */
    static Dataset csv(Path file, int classes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CSV " + file + ": " + e.getMessage(), e);
        }
        List<double[]> rows = new ArrayList<>();
        int width = -1;
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            double[] row = new double[cells.length];
            try {
                for (int c = 0; c < cells.length; c++) {
                    row[c] = Double.parseDouble(cells[c].strip());
                }
            } catch (NumberFormatException e) {
                if (rows.isEmpty() && width < 0) {
                    width = cells.length;
                    continue;
                }
                throw csvError(file, ln, "non-numeric value");
            }
            if (width >= 0 && cells.length != width) {
                throw csvError(file, ln, "expected " + width + " columns but found " + cells.length);
            }
            width = cells.length;
            if (width < 2) {
                throw csvError(file, ln, "need at least one feature column and a target column");
            }
            double target = row[width - 1];
            if (classes > 0 && (target != Math.rint(target) || target < 0 || target >= classes)) {
                throw csvError(file, ln, "class label " + target + " is not an integer in [0, " + classes + ")");
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new InvalidSpecException("data.path", "CSV " + file + " has no data rows");
        }
        double[][] x = new double[rows.size()][];
        double[] y = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            double[] row = rows.get(i);
            x[i] = java.util.Arrays.copyOf(row, row.length - 1);
            y[i] = row[row.length - 1];
        }
        return new Dataset(x, y, classes);
    }

    private static InvalidSpecException csvError(Path file, int lineIndex, String problem) {
        return new InvalidSpecException("data.path", file + " line " + (lineIndex + 1) + ": " + problem);
    }
}
