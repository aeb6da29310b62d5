package io.berth.core.replay;

import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The "typical workload" of FGD: task shapes (CPU, GPU count, milli-GPU, accepted models; memory is ignored as in
 * the paper) ordered by frequency, the most frequent ones that together cover the given share of tasks.
 */
public final class TypicalWorkload {
    private TypicalWorkload() {}

    private record Key(long cpuMillis, int gpus, int milli, Set<String> models) {}

    /** Every shape of the task list with its count, most frequent first. */
    public static List<WeightedShape> histogram(List<TaskGroup> tasks) {
        return of(tasks, 1.0);
    }

    /** @param coverage share of tasks to cover, e.g. 0.95 */
    public static List<WeightedShape> of(List<TaskGroup> tasks, double coverage) {
        Map<Key, Long> counts = new LinkedHashMap<>();
        for (TaskGroup t : tasks)
            counts.merge(new Key(t.cpuMillis(), t.gpuCount(), t.milliGpuPerGpu(), t.acceptedModels()), 1L, Long::sum);
        var sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<Key, Long>comparingByValue(Comparator.reverseOrder()));
        List<WeightedShape> out = new ArrayList<>();
        long covered = 0;
        for (var e : sorted) {
            if (covered >= coverage * tasks.size()) break;
            Key k = e.getKey();
            out.add(new WeightedShape(TaskGroup.single("typical-" + out.size(), k.cpuMillis, 0, k.gpus, k.milli, k.models),
                    e.getValue()));
            covered += e.getValue();
        }
        return out;
    }
}
