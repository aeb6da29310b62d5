package io.berth.api.reports;

import io.berth.api.auth.Caller;
import io.berth.api.errors.Invalid;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Usage reports over the accounting records (usage_records, V12). */
@Service
public class UsageReports {
    static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
    /** The most buckets one report may have (a month by hour is 744). */
    static final int MAX_BUCKETS = 1000;

    // milli-GPU x ms -> GPU-hours; millicores x ms -> core-hours; J -> kWh
    private static final String SUMS = """
            round(sum(gpu_milli::numeric * wall_millis) / 3600000000, 6) AS gpu_hours,
            round(sum(cpu_millis::numeric * wall_millis) / 3600000000, 6) AS cpu_hours,
            round(sum(energy_joules::numeric) / 3600000, 6) AS energy_kwh,
            count(DISTINCT job_id) AS jobs""";

    private final JdbcClient jdbc;

    UsageReports(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The report without series; see {@link #report(Caller, String, String, String, String)}. */
    @Transactional(readOnly = true)
    public UsageReport report(Caller caller, String from, String to, String groupBy) {
        return report(caller, from, to, groupBy, null);
    }

    /**
     * @param from    ISO-8601 instant (or date-time with offset); null = 7 days before {@code to}
     * @param to      likewise; null = now
     * @param groupBy tenant (null = tenant), job or model
     * @param bucket  hour or day (UTC) to add each group's {@code series}; null = no series
     * @throws Invalid naming the field for an unreadable or inverted window, an unknown grouping or bucket,
     *                 or a window of more than {@value #MAX_BUCKETS} buckets
     */
    @Transactional(readOnly = true)
    public UsageReport report(Caller caller, String from, String to, String groupBy, String bucket) {
        Instant end = to == null ? Instant.now() : instant("to", to);
        Instant start = from == null ? end.minus(DEFAULT_WINDOW) : instant("from", from);
        if (!start.isBefore(end)) throw Invalid.field("from", "must be before to (" + end + ")");
        String by = groupBy == null ? "tenant" : groupBy;
        Bucket size = bucket == null ? null : Bucket.parse(bucket);
        Instant first = size == null ? null : start.truncatedTo(size.unit);
        if (size != null) {
            long count = (Duration.between(first, end).toMillis() + size.millis() - 1) / size.millis();
            if (count > MAX_BUCKETS) throw Invalid.field("bucket", "the window from " + start + " to " + end
                    + " has " + count + " " + bucket + " buckets, at most " + MAX_BUCKETS + " are allowed: shorten "
                    + "the window" + (size == Bucket.HOUR ? " or use day" : ""));
        }
        String tenant = caller.seesAllTenants() ? null : caller.tenant();
        String where = " FROM usage_records WHERE ended_at >= ? AND ended_at < ?"
                + (tenant == null ? "" : " AND tenant = ?");
        List<Object> params = new ArrayList<>(List.of(Timestamp.from(start), Timestamp.from(end)));
        if (tenant != null) params.add(tenant);
        String key = switch (by) {
            case "tenant" -> "tenant";
            case "model" -> "coalesce(accelerator_model, 'none')";
            case "job" -> "job_id::text";
            default -> throw Invalid.field("groupBy", "must be tenant, job or model but was '" + by + "'");
        };
        List<UsageReport.Group> groups = switch (by) {
            case "tenant", "model" -> jdbc.sql("SELECT " + key + " AS key, " + SUMS + where + " GROUP BY 1 ORDER BY 1")
                    .params(params).query(UsageReports::keyGroup).list();
            default -> jdbc.sql("""
                            SELECT job_id::text AS key, %s,
                                   (array_agg(job_name ORDER BY ended_at DESC))[1] AS job_name,
                                   (array_agg(tenant ORDER BY ended_at DESC))[1] AS tenant,
                                   (array_agg(job_state ORDER BY ended_at DESC))[1] AS state,
                                   (array_agg(exit_code ORDER BY attempt DESC, exit_code DESC NULLS LAST))[1] AS exit_code,
                                   min(started_at) AS started_at, max(ended_at) AS finished_at
                            """.formatted(SUMS) + where + " GROUP BY job_id ORDER BY min(started_at), job_id")
                    .params(params).query(UsageReports::jobGroup).list();
        };
        if (size != null) groups = withSeries(groups, series(key, where, params, start, end, first, size));
        UsageReport.Totals totals = jdbc.sql("SELECT " + SUMS + where).params(params)
                .query((rs, n) -> new UsageReport.Totals(number(rs, "gpu_hours"), number(rs, "cpu_hours"),
                        number(rs, "energy_kwh"), rs.getLong("jobs"))).single();
        return new UsageReport(start, end, by, groups, totals);
    }

    /** Sizes of the buckets of a report's series, in UTC (a day is 24 hours there). */
    enum Bucket {
        HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS);

        final ChronoUnit unit;

        Bucket(ChronoUnit unit) {
            this.unit = unit;
        }

        long millis() {
            return unit.getDuration().toMillis();
        }

        static Bucket parse(String value) {
            return switch (value) {
                case "hour" -> HOUR;
                case "day" -> DAY;
                default -> throw Invalid.field("bucket", "must be hour or day but was '" + value + "'");
            };
        }
    }

    /**
     * Each group's usage per bucket, by group key: every record the report sums (same {@code where}) is spread over the
     * buckets its held time [started_at, ended_at) overlaps, clipped at {@code start}, in proportion to the overlap;
     * a record that held nothing for any time (started_at = ended_at) counts in the bucket it ended in.
     */
    private java.util.Map<String, List<UsageReport.Bucket>> series(String key, String where, List<Object> params,
                                                                   Instant start, Instant end, Instant first,
                                                                   Bucket size) {
        List<Object> all = new ArrayList<>(params);
        Timestamp from = Timestamp.from(start);
        String step = size.millis() / 1000 + " seconds";
        all.addAll(List.of(step, Timestamp.from(first), Timestamp.from(end), step, from, from));
        java.util.Map<String, List<UsageReport.Bucket>> series = new java.util.HashMap<>();
        jdbc.sql("""
                        WITH r AS (SELECT %s AS key, job_id, gpu_milli, cpu_millis, wall_millis, energy_joules,
                                          started_at, ended_at %s),
                             b AS (SELECT s AS start, s + ?::interval AS stop
                                   FROM generate_series(?::timestamptz, ?::timestamptz - interval '1 microsecond',
                                                        ?::interval) s),
                             x AS (SELECT r.*, b.start, CASE WHEN r.ended_at > r.started_at
                                       THEN extract(epoch FROM least(r.ended_at, b.stop)
                                                               - greatest(r.started_at, b.start, ?::timestamptz))::numeric
                                            / extract(epoch FROM r.ended_at - r.started_at)::numeric
                                       ELSE 1 END AS share
                                   FROM r JOIN b ON r.started_at < b.stop AND r.ended_at >= b.start
                                   WHERE (r.ended_at > r.started_at
                                          AND least(r.ended_at, b.stop) > greatest(r.started_at, b.start, ?::timestamptz))
                                      OR (r.ended_at = r.started_at AND r.ended_at < b.stop))
                        SELECT key, start,
                               round(sum(gpu_milli::numeric * wall_millis * share) / 3600000000, 6) AS gpu_hours,
                               round(sum(cpu_millis::numeric * wall_millis * share) / 3600000000, 6) AS cpu_hours,
                               round(sum(energy_joules::numeric * share) / 3600000, 6) AS energy_kwh,
                               count(DISTINCT job_id) AS jobs
                        FROM x GROUP BY key, start ORDER BY key, start""".formatted(key, where))
                .params(all)
                .query(rs -> {
                    series.computeIfAbsent(rs.getString("key"), k -> new ArrayList<>())
                            .add(new UsageReport.Bucket(rs.getTimestamp("start").toInstant(), number(rs, "gpu_hours"),
                                    number(rs, "cpu_hours"), number(rs, "energy_kwh"), rs.getLong("jobs")));
                });
        return series;
    }

    private static List<UsageReport.Group> withSeries(List<UsageReport.Group> groups,
                                                      java.util.Map<String, List<UsageReport.Bucket>> series) {
        return groups.stream().map(g -> {
            List<UsageReport.Bucket> s = series.getOrDefault(g.key(), List.of());
            if (g instanceof UsageReport.JobGroup j) {
                return new UsageReport.JobGroup(j.key(), j.gpuHours(), j.cpuHours(), j.energyKwh(), j.jobs(),
                        j.jobName(), j.tenant(), j.state(), j.exitCode(), j.startedAt(), j.finishedAt(), s);
            }
            return (UsageReport.Group) new UsageReport.KeyGroup(g.key(), g.gpuHours(), g.cpuHours(), g.energyKwh(),
                    g.jobs(), s);
        }).toList();
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException again) {
                throw Invalid.field(field, "expected an ISO-8601 instant such as 2026-01-31T00:00:00Z but was '"
                        + value + "'");
            }
        }
    }

    private static UsageReport.Group keyGroup(ResultSet rs, int n) throws SQLException {
        return new UsageReport.KeyGroup(rs.getString("key"), number(rs, "gpu_hours"), number(rs, "cpu_hours"),
                number(rs, "energy_kwh"), rs.getLong("jobs"), null);
    }

    private static UsageReport.Group jobGroup(ResultSet rs, int n) throws SQLException {
        return new UsageReport.JobGroup(rs.getString("key"), number(rs, "gpu_hours"), number(rs, "cpu_hours"),
                number(rs, "energy_kwh"), rs.getLong("jobs"), rs.getString("job_name"), rs.getString("tenant"),
                rs.getString("state"), (Integer) rs.getObject("exit_code"),
                rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("finished_at").toInstant(), null);
    }

    /** A sum; 0 over no rows. */
    private static double number(ResultSet rs, String column) throws SQLException {
        java.math.BigDecimal d = rs.getBigDecimal(column);
        return d == null ? 0 : d.doubleValue();
    }
}
