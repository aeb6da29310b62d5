package io.berth.api.leader;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Leader election settings ({@code berth.leader-election.*}). Invalid timing stops the start-up with a message naming
 * the key.
 *
 * @param enabled       true: elect the scheduling leader on a Kubernetes Lease; false (default): this process leads
 * @param namespace     namespace of the Lease; empty = env POD_NAMESPACE, then the client's namespace (in-cluster:
 *                      the pod's), then "default"
 * @param identity      this replica's holder identity; empty = env POD_NAME, then the host name. Must be unique per
 *                      replica
 * @param leaseName     name of the Lease object
 * @param leaseDuration how long a lease stays valid without renewal: the longest a dead leader blocks a take-over
 * @param renewDeadline a leader that could not renew for this long steps down; must be shorter than leaseDuration
 * @param retryPeriod   pause between acquire/renew attempts; must be shorter than renewDeadline
 */
@Validated
@ConfigurationProperties("berth.leader-election")
public record LeaderElectionProperties(@DefaultValue("false") boolean enabled,
                                       @DefaultValue("") String namespace,
                                       @DefaultValue("") String identity,
                                       @DefaultValue("berth-scheduler") @NotBlank String leaseName,
                                       @DefaultValue("15s") Duration leaseDuration,
                                       @DefaultValue("10s") Duration renewDeadline,
                                       @DefaultValue("2s") Duration retryPeriod) {
    public LeaderElectionProperties {
        if (retryPeriod.isNegative() || retryPeriod.isZero())
            throw new IllegalArgumentException("berth.leader-election.retry-period must be positive, was " + retryPeriod);
        if (renewDeadline.compareTo(retryPeriod) <= 0)
            throw new IllegalArgumentException("berth.leader-election.renew-deadline (" + renewDeadline
                    + ") must be longer than retry-period (" + retryPeriod + ")");
        if (leaseDuration.compareTo(renewDeadline) <= 0)
            throw new IllegalArgumentException("berth.leader-election.lease-duration (" + leaseDuration
                    + ") must be longer than renew-deadline (" + renewDeadline + ")");
    }
}
