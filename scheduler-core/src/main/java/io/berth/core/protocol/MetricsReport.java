package io.berth.core.protocol;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Body of {@code POST /api/v1/agents/{name}/workers/{workerId}/metrics}, one per finished epoch.
 *
 * @param epoch            1-based epoch just finished
 * @param loss             mean training loss over the epoch on this replica's shard (cross-entropy or MSE)
 * @param accuracy         fraction in [0, 1] of correctly classified training samples; null for regression
 * @param samplesPerSecond training throughput of this replica during the epoch
 */
public record MetricsReport(@Min(0) int epoch,
                            @NotNull @DecimalMin("0") Double loss,
                            @DecimalMin("0") @DecimalMax("1") Double accuracy,
                            @DecimalMin("0") Double samplesPerSecond) {
}
