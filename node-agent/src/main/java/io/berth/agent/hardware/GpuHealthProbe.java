package io.berth.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Health of real NVIDIA GPUs: runs the nvidia-smi query and calls a GPU healthy iff it is listed
 * with a readable line; a GPU that vanished from the output or reports [N/A]/errors, and every GPU
 * when nvidia-smi fails or hangs, is unhealthy. Results are cached for {@code minIntervalMillis} so
 * calling it every heartbeat is cheap. Thread-safe.
 */
public final class GpuHealthProbe {
    private final List<String> command;
    private final long minIntervalMillis;
    private long lastRunNanos;
    private Set<Integer> lastHealthy;

    /** @param command the query to run, normally {@link NvidiaSmi#QUERY} */
    public GpuHealthProbe(List<String> command, long minIntervalMillis) {
        this.command = List.copyOf(command);
        this.minIntervalMillis = minIntervalMillis;
    }

    /** @return for each of {@code indices}, true when healthy; ordered by index */
    public synchronized Map<Integer, Boolean> check(Collection<Integer> indices) {
        long now = System.nanoTime();
        if (lastHealthy == null || now - lastRunNanos >= TimeUnit.MILLISECONDS.toNanos(minIntervalMillis)) {
            lastHealthy = query();
            lastRunNanos = now;
        }
        Map<Integer, Boolean> out = new TreeMap<>();
        for (Integer i : indices) {
            out.put(i, lastHealthy.contains(i));
        }
        return out;
    }

    private Set<Integer> query() {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Set.of();
            }
            return p.exitValue() == 0 ? healthyIndices(new String(out, StandardCharsets.UTF_8)) : Set.of();
        } catch (IOException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }

    /** Indices of the lines of a query output that parse. */
    static Set<Integer> healthyIndices(String output) {
        Set<Integer> healthy = new HashSet<>();
        for (String line : output.split("\\R")) {
            try {
                NvidiaSmi.parse(line).forEach(a -> healthy.add(a.index()));
            } catch (IllegalArgumentException e) {
                // an unreadable line means that GPU is in trouble
            }
        }
        return healthy;
    }
}
