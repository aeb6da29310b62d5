package io.berth.api.reports;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * The usage of the records that ended (resources released) in {@code [from, to)}, grouped. Hours and kWh are rounded
 * to 6 decimals; {@code jobs} counts distinct jobs.
 * <p>
 * With a bucket (hour or day, UTC) every group also has a {@code series}: its usage per bucket, oldest first, buckets
 * without usage omitted. Each record is spread over the buckets it held its resources in, in proportion to the time held
 * in each; the part of a record before {@code from} is in no bucket, so the series sums to the group's figures exactly
 * (up to the 6-decimal rounding of each bucket) when its records started inside the window. A bucket's {@code jobs}
 * counts the distinct jobs that held resources during it. Without a bucket {@code series} is absent.
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

        /** Usage per bucket; null (absent from the JSON) when no bucket was asked for. */
        List<Bucket> series();
    }

    public record KeyGroup(String key, double gpuHours, double cpuHours, double energyKwh, long jobs,
                           @JsonInclude(JsonInclude.Include.NON_NULL) List<Bucket> series) implements Group {
    }

    /**
     * @param key      the job's id
     * @param state    the job's state (the last one known when it was deleted)
     * @param exitCode the highest exit code of its last attempt's workers; null when none exited (cancelled, lost)
     */
    public record JobGroup(String key, double gpuHours, double cpuHours, double energyKwh, long jobs, String jobName,
                           String tenant, String state, Integer exitCode, Instant startedAt, Instant finishedAt,
                           @JsonInclude(JsonInclude.Include.NON_NULL) List<Bucket> series)
            implements Group {
    }

    /**
     * The usage of one group in one bucket.
     *
     * @param start the bucket's first instant (a whole hour or a UTC midnight); it lasts one hour or one day
     * @param jobs  distinct jobs that held resources during the bucket
     */
    public record Bucket(Instant start, double gpuHours, double cpuHours, double energyKwh, long jobs) {
    }

    public record Totals(double gpuHours, double cpuHours, double energyKwh, long jobs) {
    }
}
