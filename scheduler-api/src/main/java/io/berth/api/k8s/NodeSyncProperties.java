package io.berth.api.k8s;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Inventory sync from Kubernetes Node objects ({@code berth.node-sync.*}).
 *
 * @param enabled         true: list Nodes on start-up and every interval and upsert them as servers (leader only)
 * @param intervalSeconds pause between two syncs
 */
@Validated
@ConfigurationProperties("berth.node-sync")
public record NodeSyncProperties(@DefaultValue("false") boolean enabled,
                                 @DefaultValue("60") @Min(5) @Max(86_400) int intervalSeconds) {
}
