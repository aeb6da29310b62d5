package io.berth.agent.training;

/**
 * Metrics of one finished epoch on one replica.
 *
 * @param epoch            1-based
 * @param loss             mean training loss over the epoch (cross-entropy, or squared error for regression)
 * @param accuracy         fraction of training samples classified correctly during the epoch; null for regression
 * @param samplesPerSecond samples processed per second of wall time during the epoch
 */
public record EpochMetrics(int epoch, double loss, Double accuracy, double samplesPerSecond) {
}
