package io.berth.core.placement;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Outcome of placing one job. */
public sealed interface PlacementResult {
    String jobId();

    /** Every placed replica; the state the job was placed on now holds these reservations. */
    record Placed(String jobId, List<Assignment> assignments) implements PlacementResult {
        public Placed {
            assignments = List.copyOf(assignments);
        }
    }

    /**
     * Nothing was reserved.
     *
     * @param serversByReason how many servers failed for each reason (first failed filter per server), most first
     * @param sample          up to a few structured reasons with figures, for the API
     * @param summary         human text, e.g. "1,180 servers: not enough free GPU memory; 33: GPU model not accepted"
     */
    record Unschedulable(String jobId, String taskGroup, Map<ReasonKind, Integer> serversByReason, List<Reason> sample,
                         String summary) implements PlacementResult {
        public Unschedulable {
            serversByReason = Collections.unmodifiableMap(new LinkedHashMap<>(serversByReason));
            sample = List.copyOf(sample);
        }
    }
}
