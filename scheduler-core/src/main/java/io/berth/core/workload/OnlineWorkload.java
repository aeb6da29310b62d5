package io.berth.core.workload;

import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The typical workload learned from the tasks a cluster actually sees: a histogram of task shapes (GPU count, share
 * of each GPU, CPU, memory, accepted GPU models) whose counts decay exponentially with the given half-life, so the
 * shapes of recent work dominate. The fragmentation-aware scorers take {@link #typical()} as their typical workload.
 * Time is whatever unit the caller uses consistently (seconds in the product, task arrivals in the replay); it must
 * not go backwards (an earlier time is treated as the latest one seen).
 *
 * <p>Bounded: at most {@code maxShapes} shapes are kept (the lightest is dropped for a new one) and shapes whose
 * weight decays below {@link #MIN_WEIGHT} are forgotten. {@link #snapshot()} and {@link #restore} convert to and from
 * plain records so the state can be stored. Thread-safe (every method synchronised; observations are cheap).
 */
public final class OnlineWorkload {
    /** Weight under which a shape is forgotten (a hundredth of one observation). */
    public static final double MIN_WEIGHT = 0.01;

    private final double halfLife;
    private final int maxShapes;
    private final Map<Shape, Double> weights = new HashMap<>();
    private double now = Double.NEGATIVE_INFINITY;
    private long version;

    /**
     * One task shape. Per replica; {@code milliPerGpu} is 0 for CPU-only shapes.
     *
     * @param models accepted GPU models, sorted; empty = any
     */
    public record Shape(int gpus, int milliPerGpu, long cpuMillis, long memoryMib, List<String> models) {
        public Shape {
            if (gpus < 0 || milliPerGpu < 0 || milliPerGpu > 1000 || cpuMillis < 0 || memoryMib < 0)
                throw new IllegalArgumentException("shape figures out of range");
            if (gpus == 0) milliPerGpu = 0;
            else if (milliPerGpu == 0) throw new IllegalArgumentException("a GPU shape needs milliPerGpu 1..1000");
            models = List.copyOf(new TreeSet<>(models == null ? List.of() : models));
        }

        public static Shape of(TaskGroup g) {
            return new Shape(g.gpuCount(), g.milliGpuPerGpu(), g.cpuMillis(), g.memoryMib(), List.copyOf(g.acceptedModels()));
        }

        TaskGroup toTaskGroup(String name) {
            return TaskGroup.single(name, cpuMillis, memoryMib, gpus, milliPerGpu, Set.copyOf(models));
        }
    }

    /** A shape and its decayed count as of the snapshot's time. */
    public record Entry(Shape shape, double weight) {
        public Entry {
            Objects.requireNonNull(shape, "shape");
            if (!(weight > 0)) throw new IllegalArgumentException("weight must be > 0");
        }
    }

    /** The whole learned state as plain values; {@code time} is the time the weights are expressed at. */
    public record Snapshot(double halfLife, int maxShapes, double time, List<Entry> entries) {
        public Snapshot {
            entries = List.copyOf(entries);
        }
    }

    /**
     * @param halfLife  time after which an observation counts half (> 0)
     * @param maxShapes most shapes kept (>= 1)
     */
    public OnlineWorkload(double halfLife, int maxShapes) {
        if (!(halfLife > 0)) throw new IllegalArgumentException("halfLife must be > 0");
        if (maxShapes < 1) throw new IllegalArgumentException("maxShapes must be >= 1");
        this.halfLife = halfLife;
        this.maxShapes = maxShapes;
    }

    /** Counts {@code replicas} tasks of the group's shape seen at time {@code at}. */
    public synchronized void observe(TaskGroup group, double at) {
        observe(Shape.of(group), group.replicas(), at);
    }

    public synchronized void observe(Shape shape, double count, double at) {
        if (!(count > 0)) throw new IllegalArgumentException("count must be > 0");
        advance(at);
        Double w = weights.get(shape);
        if (w == null && weights.size() >= maxShapes) {
            Shape lightest = null;
            for (var e : weights.entrySet())
                if (lightest == null || e.getValue() < weights.get(lightest)) lightest = e.getKey();
            weights.remove(lightest);
        }
        weights.merge(shape, count, Double::sum);
        version++;
    }

    /** Moves the clock forward, decaying every weight. */
    private void advance(double at) {
        if (now == Double.NEGATIVE_INFINITY) {
            now = at;
            return;
        }
        if (!(at > now)) return;
        double f = Math.pow(0.5, (at - now) / halfLife);
        now = at;
        weights.replaceAll((s, w) -> w * f);
        weights.values().removeIf(w -> w < MIN_WEIGHT);
    }

    /** Changes with every observation: a caller can rebuild what it derived from {@link #typical()} only then. */
    public synchronized long version() {
        return version;
    }

    public synchronized int size() {
        return weights.size();
    }

    /** Sum of the decayed counts as of the latest observation. */
    public synchronized double totalWeight() {
        double t = 0;
        for (double w : weights.values()) t += w;
        return t;
    }

    /**
     * The learned shapes as a typical workload, heaviest first (ties in a fixed shape order), weights = decayed counts
     * in thousandths (at least 1). Empty before the first observation.
     */
    public synchronized List<WeightedShape> typical() {
        List<Entry> entries = entries();
        List<WeightedShape> out = new ArrayList<>(entries.size());
        for (Entry e : entries)
            out.add(new WeightedShape(e.shape().toTaskGroup("learned-" + out.size()), Math.max(1, Math.round(e.weight() * 1000))));
        return out;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(halfLife, maxShapes, now == Double.NEGATIVE_INFINITY ? 0 : now, entries());
    }

    /** The workload a snapshot was taken of; observations continue from the snapshot's time. */
    public static OnlineWorkload restore(Snapshot s) {
        OnlineWorkload w = new OnlineWorkload(s.halfLife(), s.maxShapes());
        w.now = s.entries().isEmpty() ? Double.NEGATIVE_INFINITY : s.time();
        for (Entry e : s.entries()) w.weights.merge(e.shape(), e.weight(), Double::sum);
        while (w.weights.size() > w.maxShapes) {
            Shape lightest = w.entries().get(w.weights.size() - 1).shape();
            w.weights.remove(lightest);
        }
        return w;
    }

    private List<Entry> entries() {
        List<Entry> out = new ArrayList<>(weights.size());
        for (var e : weights.entrySet()) out.add(new Entry(e.getKey(), e.getValue()));
        out.sort(Comparator.comparingDouble(Entry::weight).reversed().thenComparing(e -> e.shape().toString()));
        return out;
    }
}
