package io.berth.agent.protocol;

/**
 * Body of {@code POST /api/v1/agents/{name}/workers/{workerId}/metrics}, one per finished epoch.
 *
 * @param epoch            1-based epoch just finished
 * @param loss             mean training loss over the epoch on this replica's shard (cross-entropy or MSE)
 * @param accuracy         fraction in [0, 1] of correctly classified training samples; null for regression
 * @param samplesPerSecond training throughput of this replica during the epoch
 */
public record MetricsReport(int epoch, double loss, Double accuracy, double samplesPerSecond) {
}
