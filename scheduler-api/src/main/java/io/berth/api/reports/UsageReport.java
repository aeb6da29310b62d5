package io.berth.api.reports;

import java.time.Instant;
import java.util.List;

/**
 * The usage of the records that ended (resources released) in {@code [from, to)}, grouped. Hours and kWh are rounded
 * to 6 decimals; {@code jobs} counts distinct jobs.
 *
 * @param groupBy tenant, job or model (the accelerator model; "none" for workers without one)
 */
public record UsageReport(Instant from, Instant to, String groupBy, List<Group> groups, Totals totals) {

    /** One group; with groupBy=job a {@link JobGroup}. */
    public sealed interface Group permits KeyGroup, JobGroup {
        String key();

        double gpuHours();

        double cpuHours();

        double energyKwh();

        long jobs();
    }

    public record KeyGroup(String key, double gpuHours, double cpuHours, double energyKwh, long jobs) implements Group {
    }

    /**
     * @param key      the job's id
     * @param state    the job's state (the last one known when it was deleted)
     * @param exitCode the highest exit code of its last attempt's workers; null when none exited (cancelled, lost)
     */
    public record JobGroup(String key, double gpuHours, double cpuHours, double energyKwh, long jobs, String jobName,
                           String tenant, String state, Integer exitCode, Instant startedAt, Instant finishedAt)
            implements Group {
    }

    public record Totals(double gpuHours, double cpuHours, double energyKwh, long jobs) {
    }
}
