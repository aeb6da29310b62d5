package io.berth.core.placement;

import java.util.List;
import java.util.Objects;

/**
 * Inputs some plugins need when they are built.
 *
 * @param typicalWorkload the task shapes the cluster is expected to see, with their frequencies (for the
 *                        fragmentation-aware scorers); empty = none known, and a profile that needs it fails
 */
public record PluginSettings(List<WeightedShape> typicalWorkload) {
    public PluginSettings {
        typicalWorkload = List.copyOf(typicalWorkload);
    }

    public static PluginSettings none() {
        return new PluginSettings(List.of());
    }

    /** One typical task shape and how often it occurs (any positive integer scale). */
    public record WeightedShape(TaskGroup shape, long weight) {
        public WeightedShape {
            Objects.requireNonNull(shape, "shape");
            if (weight < 1) throw new IllegalArgumentException("weight must be >= 1");
        }
    }
}
