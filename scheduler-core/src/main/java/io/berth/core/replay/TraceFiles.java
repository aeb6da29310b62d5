package io.berth.core.replay;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.TaskGroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the openb trace CSVs (see the trace README for the columns). Columns are found by header name. */
final class TraceFiles {
    private TraceFiles() {}

    /** Nodes become READY servers in one rack, GPUs indexed 0..n-1 with the node's model and unknown memory. */
    static Inventory nodes(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, Integer> col = header(lines.get(0));
        List<Server> servers = new ArrayList<>(lines.size());
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            int gpus = Integer.parseInt(f[col.get("gpu")]);
            String model = f[col.get("model")];
            List<Accelerator> acc = new ArrayList<>(gpus);
            for (int i = 0; i < gpus; i++) acc.add(Accelerator.gpu(i, model, 0));
            servers.add(new Server(f[col.get("sn")], "trace", Long.parseLong(f[col.get("cpu_milli")]),
                    Long.parseLong(f[col.get("memory_mib")]), null, ServerState.READY, 0, 0, 0, acc, null));
        }
        return Inventory.ofServers(servers);
    }

    /** Each task is one replica; gpu_spec "A|B" becomes the accepted models, empty = any. */
    static List<TaskGroup> tasks(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, Integer> col = header(lines.get(0));
        Integer spec = col.get("gpu_spec");
        List<TaskGroup> tasks = new ArrayList<>(lines.size());
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            int gpus = Integer.parseInt(f[col.get("num_gpu")]);
            int milli = Integer.parseInt(f[col.get("gpu_milli")]);
            Set<String> models = spec == null || f[spec].isBlank() ? Set.of() : Set.copyOf(Arrays.asList(f[spec].split("\\|")));
            tasks.add(TaskGroup.single(f[col.get("name")], Long.parseLong(f[col.get("cpu_milli")]),
                    Long.parseLong(f[col.get("memory_mib")]), gpus, gpus == 0 ? 0 : milli, models));
        }
        return tasks;
    }

    private static Map<String, Integer> header(String line) {
        Map<String, Integer> col = new HashMap<>();
        String[] h = line.split(",", -1);
        for (int i = 0; i < h.length; i++) col.put(h[i].trim(), i);
        return col;
    }
}
