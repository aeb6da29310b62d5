package io.berth.api.health;

import org.springframework.stereotype.Component;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What to do about each class of accelerator error ({@link HealthProperties#policy}). Immutable after start-up.
 */
@Component
public class HealthPolicy {
    /** An action of the policy; "event" is the empty set (every error is recorded and counted anyway). */
    public enum Action {
        UNHEALTHY("unhealthy"), REQUEUE("requeue"), DRAIN_SERVER("drain-server");

        final String word;

        Action(String word) {
            this.word = word;
        }
    }

    /**
     * Built-in policy, after NVIDIA's XID catalogue and its recommended actions: a GPU off the bus (XID 79, or
     * nvidia-smi unable to reach it) needs the server reset, so the server drains; uncorrectable memory errors (XID
     * 48, 95, ECC double-bit counts), a failed row remap (XID 64) and NVLink or GSP failures (74, 119, 120) take the
     * GPU out and requeue its jobs; a contained ECC error (94) kills only the application, whose job is requeued; a
     * pending row remap or page retirement needs a GPU reset before new work, running work may finish. Application
     * faults (13, 31, 43, 45) and everything else are only recorded.
     */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("xid79", "unhealthy,requeue,drain-server"),
            Map.entry("gpu-lost", "unhealthy,requeue,drain-server"),
            Map.entry("xid48", "unhealthy,requeue"),
            Map.entry("ecc-dbe", "unhealthy,requeue"),
            Map.entry("xid95", "unhealthy,requeue"),
            Map.entry("xid64", "unhealthy,requeue"),
            Map.entry("row-remap-failure", "unhealthy,requeue"),
            Map.entry("xid74", "unhealthy,requeue"),
            Map.entry("xid119", "unhealthy,requeue"),
            Map.entry("xid120", "unhealthy,requeue"),
            Map.entry("xid94", "requeue"),
            Map.entry("row-remap-pending", "unhealthy"),
            Map.entry("page-retirement-pending", "unhealthy"),
            Map.entry("xid13", "event"),
            Map.entry("xid31", "event"),
            Map.entry("xid43", "event"),
            Map.entry("xid45", "event"),
            Map.entry("xid", "event"),
            Map.entry("default", "event"));

    private static final Pattern KEY = Pattern.compile(
            "xid\\d{1,5}|xid|ecc-dbe|row-remap-pending|row-remap-failure|page-retirement-pending|gpu-lost|default");

    private final Map<String, Set<Action>> actions;

    public HealthPolicy(HealthProperties properties) {
        Map<String, String> merged = new TreeMap<>(DEFAULTS);
        properties.policy().forEach((k, v) -> merged.put(k.toLowerCase(Locale.ROOT), v));
        Map<String, Set<Action>> parsed = new TreeMap<>();
        merged.forEach((key, value) -> {
            if (!KEY.matcher(key).matches())
                throw new IllegalStateException("berth.health.policy." + key + ": unknown error class (known: xid<N>, "
                        + "xid, ecc-dbe, row-remap-pending, row-remap-failure, page-retirement-pending, gpu-lost, default)");
            parsed.put(key, parse(key, value));
        });
        this.actions = Collections.unmodifiableMap(parsed);
    }

    private static Set<Action> parse(String key, String value) {
        Set<Action> set = EnumSet.noneOf(Action.class);
        for (String word : value.split(",")) {
            String w = word.strip().toLowerCase(Locale.ROOT);
            if (w.equals("event")) continue;
            Action a = java.util.Arrays.stream(Action.values()).filter(x -> x.word.equals(w)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("berth.health.policy." + key + ": unknown action '" + w
                            + "' (known: event, unhealthy, requeue, drain-server)"));
            set.add(a);
        }
        return Collections.unmodifiableSet(set);
    }

    /** The actions for an error class: its own key, else {@code xid} for any XID, else {@code default}. */
    public Set<Action> actionsFor(String errorClass) {
        Set<Action> own = actions.get(errorClass);
        if (own != null) return own;
        if (errorClass.matches("xid\\d+")) return actions.get("xid");
        return actions.get("default");
    }

    /** The key of the policy that applies to the class, for messages ("xid79", "xid", "default"). */
    public String keyFor(String errorClass) {
        if (actions.containsKey(errorClass)) return errorClass;
        return errorClass.matches("xid\\d+") ? "xid" : "default";
    }

    /** Actions as configured, e.g. "unhealthy,requeue,drain-server"; "event" when none. */
    public static String describe(Set<Action> set) {
        return set.isEmpty() ? "event" : set.stream().map(a -> a.word).collect(Collectors.joining(","));
    }
}
