package io.berth.api.health;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.Map;

/**
 * Accelerator health settings ({@code berth.health.*}).
 *
 * @param policy per error class, what the control plane does when an agent reports an error of that class: a
 *               comma-separated list of {@code unhealthy} (take the accelerator out of service until an operator puts
 *               it back), {@code requeue} (stop the jobs running on it and queue them again, to resume from their
 *               checkpoint, without counting a failure), {@code drain-server} (drain its server), or {@code event}
 *               (only record and count it). Keys: {@code xid<N>}, {@code ecc-dbe}, {@code row-remap-pending},
 *               {@code row-remap-failure}, {@code page-retirement-pending}, {@code gpu-lost}, {@code xid} (every XID
 *               without its own key) and {@code default} (any other class). Given keys replace the built-in ones of
 *               {@link HealthPolicy#DEFAULTS}; an unknown key or action stops the start-up naming it.
 */
@ConfigurationProperties("berth.health")
public record HealthProperties(Map<String, String> policy) {
    public HealthProperties {
        policy = policy == null ? Map.of() : Map.copyOf(policy);
    }
}
