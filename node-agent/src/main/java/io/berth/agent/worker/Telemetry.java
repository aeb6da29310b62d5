package io.berth.agent.worker;

import io.berth.core.protocol.MetricsReport;
import java.util.List;

/**
 * Where workers' metrics and logs go (the control plane, in the agent). Implementations throw on
 * failure; the caller keeps the data and retries later, so delivery is at least once, in order per
 * worker. Called from a single shipping thread.
 */
public interface Telemetry {

    void metrics(String workerId, MetricsReport report);

    void logs(String workerId, List<String> lines);
}
