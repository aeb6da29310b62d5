package io.berth.agent.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica's training loop: data-parallel over {@code deviceThreads} threads inside this JVM
 * (each batch is split into contiguous parts, one per thread, and the gradients are summed in thread
 * order and averaged over the batch), model-averaged across replicas after every epoch, with
 * checkpoint and resume.
 *
 * <p>Deterministic: for the same spec, rank, world size and thread count, the parameters after each
 * epoch are bit-identical, including across a checkpoint/resume (the shuffle of epoch e depends
 * only on the seed and e). Use once; {@link #cancel()} may be called from any thread.
 */
public final class TrainingRun {

    /** Callbacks, invoked on the training thread. */
    public interface Listener {
        void onEpoch(EpochMetrics metrics);

        void onLog(String line);
    }

    /**
     * @param rank           this replica, 0..worldSize-1; trains on samples i with i % worldSize == rank
     * @param deviceThreads  data-parallel threads, &gt;= 1 (one per assigned GPU, 1 for CPU-only)
     * @param checkpointFile where to save/resume; null = no checkpointing
     * @param dataDir        relative CSV paths are resolved against it
     * @param averaging      cross-replica averaging; {@link ModelAveraging#none()} for a single replica
     * @param threadName     prefix for the device threads' names
     */
    public record Options(int rank, int worldSize, int deviceThreads, Path checkpointFile, Path dataDir,
                          ModelAveraging averaging, String threadName) {

        public Options {
            if (deviceThreads < 1) {
                throw new IllegalArgumentException("deviceThreads must be >= 1");
            }
            if (rank < 0 || rank >= Math.max(1, worldSize)) {
                throw new IllegalArgumentException("rank " + rank + " outside world of " + worldSize);
            }
        }
    }

    /**
     * @param resumedFromEpoch last epoch of the checkpoint training resumed from; 0 = started fresh
     * @param parameters       final parameters (after the last averaging)
     * @param history          metrics of the epochs run by this call (not those before the resume)
     */
    public record Result(int resumedFromEpoch, int epochs, double[] parameters, List<EpochMetrics> history) {
    }

    private final TrainingConfig spec;
    private final Options options;
    private final Listener listener;
    private volatile boolean cancelled;

    public TrainingRun(TrainingConfig spec, Options options, Listener listener) {
        this.spec = spec;
        this.options = options;
        this.listener = listener;
    }

    /** Stops at the next batch boundary and unblocks model averaging; {@link #run()} then throws CancellationException. */
    public void cancel() {
        cancelled = true;
        options.averaging().close();
    }

    /**
     * Trains until {@code spec.epochs()} epochs are done (counting those in the checkpoint).
     *
     * @throws java.util.concurrent.CancellationException after {@link #cancel()}
     * @throws IOException on checkpoint or averaging failure
     */
    public Result run() throws IOException, InterruptedException {
        Dataset all = Dataset.load(spec.data(), options.dataDir());
        Dataset data = all.shard(options.rank(), options.worldSize());
        return train(Model.forSpec(spec.model(), all.features(), all.classes()), data);
    }

    private <S> Result train(Model<S> net, Dataset data) throws IOException, InterruptedException {
        Optimizer optimizer = Optimizer.create(spec.optimizer(), net.parameterCount());
        Path ckpt = options.checkpointFile();
        Checkpoint latest = compatible(Checkpoint.readIfExists(ckpt), ckpt, net);
        Checkpoint previous = ckpt == null ? null : compatible(Checkpoint.readIfExists(Checkpoint.previous(ckpt)), ckpt, net);
        Checkpoint mine = latest != null ? latest : previous;
        ModelAveraging.Start agreed = options.averaging().begin(
                mine == null ? 0 : mine.epoch(), mine == null ? net.initialParameters(spec.seed()) : mine.parameters());
        double[] params = agreed.parameters();
        int start = agreed.epoch();
        Checkpoint withState = latest != null && latest.epoch() == start ? latest
                : previous != null && previous.epoch() == start ? previous : null;
        if (withState != null) {
            optimizer.restore(withState.optimizerSteps(), withState.optimizerState());
        }
        if (start > 0) {
            listener.onLog("resumed from checkpoint " + (withState != null ? ckpt : "of another replica") + " at epoch " + start
                    + (withState != null ? "" : " (this replica's optimizer state starts fresh)"));
        }
        listener.onLog("training " + net.shape() + " (" + net.parameterCount() + " parameters) on " + data.size()
                + " samples, rank " + options.rank() + "/" + options.worldSize() + ", " + options.deviceThreads()
                + " device thread(s), epochs " + (start + 1) + ".." + spec.epochs());
        List<EpochMetrics> history = new ArrayList<>();
        ExecutorService pool = options.deviceThreads() > 1 ? devicePool() : null;
        try {
            for (int epoch = start + 1; epoch <= spec.epochs(); epoch++) {
                EpochMetrics m = epoch(epoch, net, data, params, optimizer, pool);
                params = options.averaging().average(epoch, params);
                history.add(m);
                listener.onEpoch(m);
                listener.onLog(String.format("epoch %d loss=%.6f%s samples/s=%.0f", epoch, m.loss(),
                        m.accuracy() == null ? "" : String.format(" accuracy=%.4f", m.accuracy()), m.samplesPerSecond()));
                boolean due = spec.checkpointEveryEpochs() > 0 && epoch % spec.checkpointEveryEpochs() == 0;
                if (ckpt != null && (due || epoch == spec.epochs())) {
                    new Checkpoint(net.shape(), epoch, optimizer.steps(), params, optimizer.state()).write(ckpt);
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            options.averaging().close();
        }
        return new Result(start, spec.epochs(), params, history);
    }

    private static Checkpoint compatible(Checkpoint c, Path file, Model<?> net) throws IOException {
        if (c != null && (!c.shape().equals(net.shape()) || c.parameters().length != net.parameterCount())) {
            throw new IOException("checkpoint " + file + " is for network " + c.shape() + ", not " + net.shape());
        }
        return c;
    }

    private ExecutorService devicePool() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(options.deviceThreads(), r -> {
            Thread t = new Thread(r, options.threadName() + "-device-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    private <S> EpochMetrics epoch(int epoch, Model<S> net, Dataset data, double[] params, Optimizer optimizer,
                               ExecutorService pool) throws InterruptedException, IOException {
        long began = System.nanoTime();
        int n = data.size();
        int[] order = permutation(n, spec.seed() * 1_000_003L + epoch);
        int threads = options.deviceThreads();
        double[][] grads = new double[threads][net.parameterCount()];
        List<S> scratch = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            scratch.add(net.newScratch());
        }
        double lossSum = 0;
        double correct = 0;
        for (int from = 0; from < n; from += spec.batchSize()) {
            if (cancelled) {
                throw new java.util.concurrent.CancellationException("training cancelled");
            }
            int to = Math.min(n, from + spec.batchSize());
            int count = to - from;
            List<Callable<double[]>> parts = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
                int a = from + (int) ((long) count * t / threads);
                int b = from + (int) ((long) count * (t + 1) / threads);
                double[] g = grads[t];
                S s = scratch.get(t);
                parts.add(() -> {
                    java.util.Arrays.fill(g, 0);
                    return net.accumulate(params, data, order, a, b, g, s);
                });
            }
            double[] total = grads[0];
            if (pool == null) {
                double[] st = uncheckedCall(parts.get(0));
                lossSum += st[0];
                correct += st[1];
            } else {
                List<Future<double[]>> futures = pool.invokeAll(parts);
                for (Future<double[]> f : futures) {
                    double[] st = get(f);
                    lossSum += st[0];
                    correct += st[1];
                }
                for (int t = 1; t < threads; t++) {
                    double[] g = grads[t];
                    for (int i = 0; i < total.length; i++) {
                        total[i] += g[i];
                    }
                }
            }
            for (int i = 0; i < total.length; i++) {
                total[i] /= count;
            }
            optimizer.step(params, total);
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - began) / 1e9);
        double loss = n == 0 ? 0 : lossSum / n;
        Double accuracy = data.classification() ? (n == 0 ? 0.0 : correct / n) : null;
        return new EpochMetrics(epoch, loss, accuracy, n / seconds);
    }

    private static double[] uncheckedCall(Callable<double[]> c) throws IOException {
        try {
            return c.call();
        } catch (RuntimeException | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static double[] get(Future<double[]> f) throws InterruptedException, IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        }
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /**
     * Evaluates {@code parameters} on the whole data set of {@code spec}: accuracy for
     * classification, mean squared error for regression.
     */
    public static double evaluate(TrainingConfig spec, double[] parameters, Path dataDir) {
        Dataset data = Dataset.load(spec.data(), dataDir);
        return evaluate(Model.forSpec(spec.model(), data.features(), data.classes()), parameters, data);
    }

    private static <S> double evaluate(Model<S> net, double[] parameters, Dataset data) {
        S s = net.newScratch();
        double acc = 0;
        for (int i = 0; i < data.size(); i++) {
            double p = net.predict(parameters, data.x()[i], s);
            acc += data.classification() ? (p == data.y()[i] ? 1 : 0) : (p - data.y()[i]) * (p - data.y()[i]);
        }
        return acc / data.size();
    }
}
