package io.berth.api.k8s;

import io.berth.api.inventory.AcceleratorSpec;
import io.berth.api.inventory.ServerSpec;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.ServerState;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Maps a Kubernetes Node to a Berth server. Pure: no I/O, no clock.
 *
 * <ul>
 *   <li>name = node name; cpuMillis / memoryMib from {@code status.allocatable} (falling back to
 *   {@code status.capacity} per resource), rounded down to whole millicores / MiB</li>
 *   <li>GPUs: count from {@code nvidia.com/gpu}, model from label {@code nvidia.com/gpu.product} (default
 *   "unknown"), memory from label {@code nvidia.com/gpu.memory} in MiB (default 0 = unknown)</li>
 *   <li>rack from label {@code topology.kubernetes.io/rack}, then {@code berth.io/rack} (default "default"); zone
 *   from {@code topology.kubernetes.io/zone} (default "default")</li>
 *   <li>state CORDONED when cordoned ({@code spec.unschedulable}), else NOT_READY unless the Ready condition is
 *   True, else READY</li>
 *   <li>labels copied when the key is at most 128 and the value at most 256 characters; at most 64, by key order</li>
 * </ul>
 * A node whose resources cannot be read (missing or malformed quantity, negative or fractional GPU count, a name the
 * inventory does not accept) is {@link Skipped} with the reason: never half a server.
 */
final class NodeMapping {
    static final String GPU_RESOURCE = "nvidia.com/gpu";
    static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
    static final String GPU_MEMORY_LABEL = "nvidia.com/gpu.memory";
    static final String RACK_LABEL = "topology.kubernetes.io/rack";
    static final String BERTH_RACK_LABEL = "berth.io/rack";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    static final int MAX_LABELS = 64;
    static final int MAX_LABEL_KEY = 128;
    static final int MAX_LABEL_VALUE = 256;
    static final int MAX_GPUS = 64;
    private static final int MAX_MODEL = 64;
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$");
    private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024L);

    private NodeMapping() {
    }

    /** What a node became. */
    sealed interface Result permits Mapped, Skipped {
        String node();
    }

    /** A server to upsert, with the zone its rack belongs to (used only when the rack has to be created). */
    record Mapped(String node, ServerSpec server, String zone) implements Result {
    }

    /** Not synced; {@code reason} says why, for the log. */
    record Skipped(String node, String reason) implements Result {
    }

    static Result map(Node node) {
        String name = node.getMetadata() == null ? null : node.getMetadata().getName();
        if (name == null || !NAME.matcher(name).matches()) return new Skipped(String.valueOf(name), "unusable node name");
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        if (node.getStatus() == null) return new Skipped(name, "no status");
        Map<String, Quantity> allocatable = merged(node.getStatus().getCapacity(), node.getStatus().getAllocatable());

        long cpuMillis;
        long memoryMib;
        int gpus;
        try {
            cpuMillis = whole(amount(allocatable, "cpu").multiply(BigDecimal.valueOf(1000)), "cpu");
            memoryMib = whole(bytes(allocatable, "memory").divide(MIB, 0, RoundingMode.DOWN), "memory");
            Quantity gpu = allocatable.get(GPU_RESOURCE);
            gpus = gpu == null ? 0 : gpuCount(gpu);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return new Skipped(name, e.getMessage());
        }

        String rack = first(labels.get(RACK_LABEL), labels.get(BERTH_RACK_LABEL), ServerSpec.DEFAULT_RACK);
        String zone = first(labels.get(ZONE_LABEL), null, "default");
        if (!NAME.matcher(rack).matches()) return new Skipped(name, "unusable rack name '" + rack + "'");
        if (!NAME.matcher(zone).matches()) return new Skipped(name, "unusable zone name '" + zone + "'");

        String model = first(labels.get(GPU_PRODUCT_LABEL), null, "unknown");
        if (model.length() > MAX_MODEL) model = model.substring(0, MAX_MODEL);
        int gpuMemoryMib = gpuMemory(labels.get(GPU_MEMORY_LABEL));
        List<AcceleratorSpec> accelerators = new ArrayList<>(gpus);
        for (int i = 0; i < gpus; i++)
            accelerators.add(new AcceleratorSpec(i, AcceleratorKind.GPU, "NVIDIA", model, gpuMemoryMib, null,
                    AcceleratorHealth.HEALTHY));

        return new Mapped(name, new ServerSpec(name, rack, cpuMillis, memoryMib, 0L, copiedLabels(labels),
                state(node), null, null, accelerators, List.of()), zone);
    }

    static ServerState state(Node node) {
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) return ServerState.CORDONED;
        List<NodeCondition> conditions = node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions();
        for (NodeCondition c : conditions)
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus()) ? ServerState.READY : ServerState.NOT_READY;
        return ServerState.NOT_READY;
    }

    private static Map<String, Quantity> merged(Map<String, Quantity> capacity, Map<String, Quantity> allocatable) {
        Map<String, Quantity> m = new TreeMap<>();
        if (capacity != null) m.putAll(capacity);
        if (allocatable != null) m.putAll(allocatable);
        return m;
    }

    private static BigDecimal amount(Map<String, Quantity> resources, String resource) {
        Quantity q = resources.get(resource);
        if (q == null) throw new IllegalArgumentException("no allocatable " + resource);
        try {
            return q.getNumericalAmount();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed " + resource + " quantity '" + q + "'");
        }
    }

    private static BigDecimal bytes(Map<String, Quantity> resources, String resource) {
        Quantity q = resources.get(resource);
        if (q == null) throw new IllegalArgumentException("no allocatable " + resource);
        try {
            return Quantity.getAmountInBytes(q);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed " + resource + " quantity '" + q + "'");
        }
    }

    private static long whole(BigDecimal value, String resource) {
        if (value.signum() < 0) throw new IllegalArgumentException("negative " + resource + " " + value);
        return value.setScale(0, RoundingMode.DOWN).longValueExact();
    }

    private static int gpuCount(Quantity q) {
        BigDecimal n;
        try {
            n = q.getNumericalAmount();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed " + GPU_RESOURCE + " quantity '" + q + "'");
        }
        if (n.signum() < 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(MAX_GPUS)) > 0)
            throw new IllegalArgumentException(GPU_RESOURCE + " must be a whole number 0-" + MAX_GPUS + ", was " + q);
        return n.intValueExact();
    }

    /** MiB from the GPU feature discovery label; 0 (unknown) when absent or not a non-negative integer. */
    private static int gpuMemory(String label) {
        if (label == null) return 0;
        try {
            int v = Integer.parseInt(label.trim());
            return Math.max(v, 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> copiedLabels(Map<String, String> labels) {
        Map<String, String> copied = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (copied.size() == MAX_LABELS) break;
            if (e.getKey() == null || e.getKey().isBlank() || e.getKey().length() > MAX_LABEL_KEY) continue;
            if (e.getValue() == null || e.getValue().length() > MAX_LABEL_VALUE) continue;
            copied.put(e.getKey(), e.getValue());
        }
        return copied;
    }

    private static String first(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) return a;
        if (b != null && !b.isBlank()) return b;
        return fallback;
    }
}
