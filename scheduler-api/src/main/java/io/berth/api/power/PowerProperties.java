package io.berth.api.power;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Cluster power settings ({@code berth.power.*}); an invalid value stops the start-up with a message naming the key.
 *
 * @param pue           power usage effectiveness: facility power / IT power, at least 1.0 (1.0 = count the IT load
 *                      only); the facility figures are the servers' power times this
 * @param sampleSeconds how often the power history is sampled (and the Prometheus gauges refreshed), seconds
 */
@Validated
@ConfigurationProperties("berth.power")
public record PowerProperties(
        @DefaultValue("1.0") @DecimalMin(value = "1.0", message = "must be at least 1.0 (facility power / IT power)")
        @DecimalMax(value = "10.0", message = "must be at most 10.0 (facility power / IT power)") double pue,
        @DefaultValue("10") @Min(1) @Max(300) int sampleSeconds) {
}
