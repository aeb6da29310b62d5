package io.berth.api.scheduling;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Scheduler settings ({@code berth.scheduler.*}); invalid values stop the start-up with a message naming the key.
 *
 * @param policy                  placement profile: random, bestfit, spread, rtc, gpupacking, fgd, berth, or
 *                                {@code scorer:weight,...}
 * @param intervalMillis          pause between scheduling cycles when nothing wakes the loop
 * @param heartbeatTimeoutSeconds an agent silent this long makes its server NOT_READY and its jobs requeued
 * @param requireAgent            true: only servers whose agent has registered receive work (false lets jobs be
 *                                placed on inventory-only servers, for simulations and benchmarks)
 * @param preemptionMinPriority   jobs with at least this priority may preempt whole lower-priority jobs
 * @param backfill                let smaller jobs run around a blocked head job (which keeps a reservation)
 * @param checkpointRoot          where workers keep checkpoints, shared by all agents (a NAS mount in a cluster);
 *                                default {@code ~/.berth/checkpoints} (set in application.yaml: a
 *                                {@code @DefaultValue} would not resolve the placeholder)
 * @param masterPortBase          first port of the range handed out as MASTER_PORT to multi-replica jobs
 * @param maxFeasible             servers scored for each replica: -1 (default, auto) = every feasible server on
 *                                clusters of up to 1,000 servers, the first 100 feasible above; 0 = always every
 *                                feasible server (exact); n > 0 = stop after n feasible servers. Bounded searches visit
 *                                the tightest free-GPU bucket first (Kubernetes' percentageOfNodesToScore idea), so
 *                                placement is linear in n instead of in the number of servers, which is what a cluster
 *                                of thousands of servers needs to place thousands of jobs a second (see BENCHMARKS.md)
 */
@Validated
@ConfigurationProperties("berth.scheduler")
public record SchedulerProperties(@DefaultValue("true") boolean enabled,
                                  @DefaultValue("bestfit") @NotBlank String policy,
                                  @DefaultValue("200") @Min(10) @Max(60_000) int intervalMillis,
                                  @DefaultValue("15") @Min(2) @Max(3600) int heartbeatTimeoutSeconds,
                                  @DefaultValue("3") @Min(1) @Max(60) int heartbeatIntervalSeconds,
                                  @DefaultValue("true") boolean requireAgent,
                                  @DefaultValue("100") @Min(0) @Max(1001) int preemptionMinPriority,
                                  @DefaultValue("true") boolean backfill,
                                  @NotBlank String checkpointRoot,
                                  @DefaultValue("29500") @Min(1024) @Max(60000) int masterPortBase,
                                  @DefaultValue("-1") @Min(-1) @Max(1_000_000) int maxFeasible) {
}
