package io.berth.api.scheduling;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The typical workload of the fragmentation-aware policies ({@code berth.scheduler.workload.*}).
 *
 * @param mode            ONLINE (default): learned from every submitted job's task groups, decayed with the
 *                        half-life, saved to the database and restored at start-up; FIXED: five common training shapes
 *                        (a fraction of a GPU, 1, 2, 4 and 8 whole GPUs), also used while nothing has been learned
 * @param halfLifeHours   a job submitted this long ago counts half as much as one submitted now
 * @param saveSeconds     the learned state is written to the database at most this often (and at shutdown)
 * @param refreshSeconds  the placement engine is rebuilt from the learned state at most this often
 */
@Validated
@ConfigurationProperties("berth.scheduler.workload")
public record WorkloadProperties(@DefaultValue("ONLINE") @NotNull Mode mode,
                                 @DefaultValue("72") @Min(1) @Max(100_000) double halfLifeHours,
                                 @DefaultValue("10") @Min(1) @Max(86_400) int saveSeconds,
                                 @DefaultValue("10") @Min(0) @Max(86_400) int refreshSeconds) {
    public enum Mode { ONLINE, FIXED }
}
