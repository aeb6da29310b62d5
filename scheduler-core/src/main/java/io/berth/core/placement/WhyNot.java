package io.berth.core.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects the first failed constraint of every server and summarises them for a human. */
final class WhyNot {
    private static final int SAMPLE_PER_KIND = 3;
    private final Map<ReasonKind, Integer> counts = new EnumMap<>(ReasonKind.class);
    private final List<Reason> sample = new ArrayList<>();

    void add(Reason r) {
        int n = counts.merge(r.kind(), 1, Integer::sum);
        if (n <= SAMPLE_PER_KIND) sample.add(r);
    }

    /** Counts n servers for a reason without a structured sample (servers ruled out wholesale by an index). */
    void addCount(ReasonKind kind, int n) {
        if (n > 0) counts.merge(kind, n, Integer::sum);
    }

    /** Reasons by server count, largest first (ties in {@link ReasonKind} order). */
    Map<ReasonKind, Integer> byCount() {
        var out = new LinkedHashMap<ReasonKind, Integer>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<ReasonKind, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    List<Reason> sample() {
        return sample;
    }

    /** E.g. "1,180 servers: not enough free GPU memory; 33: GPU model not accepted". */
    static String summary(Map<ReasonKind, Integer> byCount) {
        if (byCount.isEmpty()) return "no servers in the cluster";
        var sb = new StringBuilder();
        boolean first = true;
        for (var e : byCount.entrySet()) {
            if (!first) sb.append("; ");
            sb.append(String.format(Locale.US, "%,d", e.getValue()));
            if (first) sb.append(e.getValue() == 1 ? " server" : " servers");
            sb.append(": ").append(e.getKey().phrase());
            first = false;
        }
        return sb.toString();
    }
}
