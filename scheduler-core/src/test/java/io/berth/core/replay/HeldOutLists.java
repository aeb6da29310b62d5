package io.berth.core.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds held-out task lists from an openb list, for measuring a policy on lists it was not designed on.
 * <ul>
 *   <li>{@code --spec-share p}: each GPU task (that has no model constraint yet) requires one GPU model with
 *   probability p; the model is drawn in proportion to the GPUs of each model on the nodes that have at least the
 *   task's GPU count (so a task never asks for a model no node of its size has).</li>
 *   <li>{@code --multi-share q}: whole single-GPU tasks become 2-, 4- or 8-GPU tasks (drawn 1 : 1 : 2, CPU and memory
 *   scaled with the GPUs) until multi-GPU tasks carry the share q of the list's GPU demand.</li>
 * </ul>
 * Usage: {@code HeldOutLists --nodes FILE --tasks FILE --out FILE --seed N [--spec-share p] [--multi-share q]}.
 * Writes the columns {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec} and prints a summary to stderr.
 */
public final class HeldOutLists {
    private HeldOutLists() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
        List<String> nodes = Files.readAllLines(Path.of(o.get("--nodes")));
        List<String> lines = Files.readAllLines(Path.of(o.get("--tasks")));
        var rnd = new SplittableRandom(Long.parseLong(o.get("--seed")));
        double specShare = Double.parseDouble(o.getOrDefault("--spec-share", "0"));
        double multiShare = Double.parseDouble(o.getOrDefault("--multi-share", "0"));
        Map<String, Integer> col = header(lines.get(0));
        List<long[]> nodeGpus = new ArrayList<>(); // {gpus} with model names alongside
        List<String> nodeModel = new ArrayList<>();
        Map<String, Integer> ncol = header(nodes.get(0));
        for (String l : nodes.subList(1, nodes.size())) {
            if (l.isBlank()) continue;
            String[] f = l.split(",", -1);
            nodeGpus.add(new long[]{Long.parseLong(f[ncol.get("gpu")])});
            nodeModel.add(f[ncol.get("model")]);
        }
        List<String[]> tasks = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank()) continue;
            String[] f = l.split(",", -1);
            Integer spec = col.get("gpu_spec");
            tasks.add(new String[]{f[col.get("name")], f[col.get("cpu_milli")], f[col.get("memory_mib")],
                    f[col.get("num_gpu")], f[col.get("gpu_milli")], spec == null ? "" : f[spec]});
        }
        if (multiShare > 0) {
            long total = 0, multi = 0;
            for (String[] t : tasks) {
                long d = Long.parseLong(t[3]) * Long.parseLong(t[4]);
                total += d;
                if (Long.parseLong(t[3]) > 1) multi += d;
            }
            List<Integer> singles = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++)
                if (tasks.get(i)[3].equals("1") && tasks.get(i)[4].equals("1000") && tasks.get(i)[5].isEmpty()) singles.add(i);
            while (multi < multiShare * total && !singles.isEmpty()) {
                String[] t = tasks.get(singles.remove(rnd.nextInt(singles.size())));
                int k = switch (rnd.nextInt(4)) { case 0 -> 2; case 1 -> 4; default -> 8; };
                t[1] = String.valueOf(Long.parseLong(t[1]) * k);
                t[2] = String.valueOf(Long.parseLong(t[2]) * k);
                t[3] = String.valueOf(k);
                total += 1000L * (k - 1);
                multi += 1000L * k;
            }
        }
        int constrained = 0, gpuTasks = 0;
        for (String[] t : tasks) {
            int gpus = Integer.parseInt(t[3]);
            if (gpus == 0) continue;
            gpuTasks++;
            if (!t[5].isEmpty()) {
                constrained++;
                continue;
            }
            if (rnd.nextDouble() >= specShare) continue;
            long sum = 0;
            for (long[] n : nodeGpus) if (n[0] >= gpus) sum += n[0];
            long pick = rnd.nextLong(sum);
            for (int i = 0; i < nodeGpus.size(); i++) {
                long g = nodeGpus.get(i)[0];
                if (g < gpus) continue;
                if (pick < g) {
                    t[5] = nodeModel.get(i);
                    break;
                }
                pick -= g;
            }
            constrained++;
        }
        var sb = new StringBuilder("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n");
        for (String[] t : tasks) sb.append(String.join(",", t)).append('\n');
        Path out = Path.of(o.get("--out"));
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, sb);
        System.err.printf("%s: %d tasks, %d GPU tasks, %d (%.1f%%) require models%n", out, tasks.size(), gpuTasks,
                constrained, 100.0 * constrained / gpuTasks);
    }

    private static Map<String, Integer> header(String line) {
        Map<String, Integer> col = new TreeMap<>();
        String[] h = line.split(",", -1);
        for (int i = 0; i < h.length; i++) col.put(h[i].trim(), i);
        return col;
    }
}
