package io.berth.core.placement;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole-cluster check of can-ever-fit, made before any server is tried: does the cluster, every server empty and
 * in service, have as many GPUs (of the models and memory each task group accepts), millicores and MiB as the job's
 * gangs need together? Without it a job of 25 x 4 GPUs on a 16-GPU cluster is refused with the per-server reason of
 * the fifth replica ("not enough free GPU"), not with the arithmetic that rules it out. Only the gang size of each
 * group counts: replicas beyond it are best effort. Pure function of the layout and the job.
 */
final class ClusterTotals {
    private ClusterTotals() {}

    /** Every whole-cluster shortfall of the job, or null when the totals allow it (per-server checks follow). */
    static PlacementResult.Unschedulable check(ClusterLayout l, JobRequest job) {
        List<Reason> reasons = new ArrayList<>();
        List<String> phrases = new ArrayList<>();
        String group = job.taskGroups().get(0).name();

        long gpuNeed = 0, cpuNeed = 0, memoryNeed = 0;
        for (TaskGroup g : job.taskGroups()) {
            gpuNeed += g.gangSize() * g.gpuMilliPerReplica();
            cpuNeed += g.gangSize() * g.cpuMillis();
            memoryNeed += g.gangSize() * g.memoryMib();
        }
        boolean single = job.taskGroups().size() == 1;
        if (gpuNeed > l.totalGpuMilli()) {
            reasons.add(new Reason(ReasonKind.CLUSTER_GPU, null, gpuNeed, l.totalGpuMilli(), l.totalGpuMilli()));
            phrases.add("the job needs " + gpus(gpuNeed) + (single ? shape(job.taskGroups().get(0)) : "")
                    + " and the cluster has " + gpus(l.totalGpuMilli()));
            group = largest(job);
        } else {
            for (TaskGroup g : job.taskGroups()) {
                if (g.gpuCount() == 0 || (g.acceptedModels().isEmpty() && g.minGpuMemoryMib() == 0)) continue;
                long need = g.gangSize() * g.gpuMilliPerReplica();
                long eligible = 1000L * eligibleGpus(l, g);
                if (need <= eligible) continue;
                reasons.add(new Reason(ReasonKind.CLUSTER_GPU, null, need, eligible, l.totalGpuMilli()));
                phrases.add((single ? "the job" : "task group " + g.name()) + " needs " + gpus(need) + shape(g)
                        + " " + kind(g) + " and the cluster has " + gpus(eligible));
                if (reasons.size() == 1) group = g.name();
            }
        }
        long cpuCapacity = 0, memoryCapacity = 0;
        for (int s = 0; s < l.serverCount(); s++) {
            cpuCapacity += l.cpuCapacity(s);
            memoryCapacity += l.memoryCapacity(s);
        }
        if (cpuNeed > cpuCapacity) {
            reasons.add(new Reason(ReasonKind.CLUSTER_CPU, null, cpuNeed, cpuCapacity, cpuCapacity));
            phrases.add(String.format(Locale.US, "the job needs %,d millicores of CPU and the cluster has %,d",
                    cpuNeed, cpuCapacity));
        }
        if (memoryNeed > memoryCapacity) {
            reasons.add(new Reason(ReasonKind.CLUSTER_MEMORY, null, memoryNeed, memoryCapacity, memoryCapacity));
            phrases.add(String.format(Locale.US, "the job needs %,d MiB of memory and the cluster has %,d",
                    memoryNeed, memoryCapacity));
        }
        if (reasons.isEmpty()) return null;
        Map<ReasonKind, Integer> byReason = new LinkedHashMap<>();
        for (Reason r : reasons) byReason.put(r.kind(), l.serverCount());
        return new PlacementResult.Unschedulable(job.jobId(), group, byReason, reasons, String.join("; ", phrases));
    }

    private static int eligibleGpus(ClusterLayout l, TaskGroup g) {
        int n = 0;
        for (int gpu = 0; gpu < l.gpuCount(); gpu++) {
            if ((g.acceptedModels().isEmpty() || g.acceptedModels().contains(l.modelName(l.gpuModel(gpu))))
                    && l.gpuMemoryMib(gpu) >= g.minGpuMemoryMib()) n++;
        }
        return n;
    }

    private static String largest(JobRequest job) {
        TaskGroup best = job.taskGroups().get(0);
        for (TaskGroup g : job.taskGroups())
            if (g.gangSize() * g.gpuMilliPerReplica() > best.gangSize() * best.gpuMilliPerReplica()) best = g;
        return best.name();
    }

    /** " (25 replicas x 4)", " (25 replicas x 0.5)"; empty for one replica. */
    private static String shape(TaskGroup g) {
        if (g.gangSize() == 1) return "";
        return " (" + g.gangSize() + " replicas x " + gpus(g.gpuMilliPerReplica()) + ")";
    }

    private static String kind(TaskGroup g) {
        List<String> parts = new ArrayList<>();
        if (!g.acceptedModels().isEmpty()) parts.add("of model " + String.join(" or ", g.acceptedModels().stream().sorted().toList()));
        if (g.minGpuMemoryMib() > 0) parts.add(String.format(Locale.US, "with at least %,d MiB", g.minGpuMemoryMib()));
        return String.join(" ", parts);
    }

    /** Milli-GPU as GPUs: "16 GPUs", "1 GPU", "2.5 GPUs". */
    static String gpus(long milli) {
        String n = milli % 1000 == 0 ? String.format(Locale.US, "%,d", milli / 1000)
                : BigDecimal.valueOf(milli, 3).stripTrailingZeros().toPlainString();
        return n + (milli == 1000 ? " GPU" : " GPUs");
    }
}
