package io.berth.core.power;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one power decision decided. Nothing has happened yet: the caller sends the actions and records the reasons.
 *
 * @param suspend          ON servers to suspend, longest idle first
 * @param resume           OFF servers to resume for waiting jobs, in the order the jobs need them
 * @param resumeFailed     RESUMING servers whose resume timed out
 * @param waitingForResume job id -> pending reason, for waiting jobs that need servers that are off, in queue order
 */
public record PowerDecision(List<PowerAction> suspend, List<PowerAction> resume, List<PowerAction> resumeFailed,
                            Map<String, String> waitingForResume) {
    public PowerDecision {
        suspend = List.copyOf(suspend);
        resume = List.copyOf(resume);
        resumeFailed = List.copyOf(resumeFailed);
        waitingForResume = Collections.unmodifiableMap(new LinkedHashMap<>(waitingForResume));
    }

    public static final PowerDecision NOTHING = new PowerDecision(List.of(), List.of(), List.of(), Map.of());

    public boolean isEmpty() {
        return suspend.isEmpty() && resume.isEmpty() && resumeFailed.isEmpty() && waitingForResume.isEmpty();
    }
}
