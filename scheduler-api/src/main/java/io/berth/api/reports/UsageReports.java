package io.berth.api.reports;

import io.berth.api.auth.Caller;
import io.berth.api.web.ApiException;
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
import java.util.ArrayList;
import java.util.List;

/** Usage reports over the accounting records (usage_records, V12). */
@Service
public class UsageReports {
    static final Duration DEFAULT_WINDOW = Duration.ofDays(7);

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

    /**
     * @param from    ISO-8601 instant (or date-time with offset); null = 7 days before {@code to}
     * @param to      likewise; null = now
     * @param groupBy tenant (null = tenant), job or model
     * @throws ApiException 400 naming the field for an unreadable or inverted window or an unknown grouping
     */
    @Transactional(readOnly = true)
    public UsageReport report(Caller caller, String from, String to, String groupBy) {
        Instant end = to == null ? Instant.now() : instant("to", to);
        Instant start = from == null ? end.minus(DEFAULT_WINDOW) : instant("from", from);
        if (!start.isBefore(end)) throw ApiException.invalid("from", "must be before to (" + end + ")");
        String by = groupBy == null ? "tenant" : groupBy;
        String tenant = caller.seesAllTenants() ? null : caller.tenant();
        String where = " FROM usage_records WHERE ended_at >= ? AND ended_at < ?"
                + (tenant == null ? "" : " AND tenant = ?");
        List<Object> params = new ArrayList<>(List.of(Timestamp.from(start), Timestamp.from(end)));
        if (tenant != null) params.add(tenant);
        List<UsageReport.Group> groups = switch (by) {
            case "tenant" -> jdbc.sql("SELECT tenant AS key, " + SUMS + where + " GROUP BY tenant ORDER BY tenant")
                    .params(params).query(UsageReports::keyGroup).list();
            case "model" -> jdbc.sql("SELECT coalesce(accelerator_model, 'none') AS key, " + SUMS + where
                            + " GROUP BY 1 ORDER BY 1")
                    .params(params).query(UsageReports::keyGroup).list();
            case "job" -> jdbc.sql("""
                            SELECT job_id::text AS key, %s,
                                   (array_agg(job_name ORDER BY ended_at DESC))[1] AS job_name,
                                   (array_agg(tenant ORDER BY ended_at DESC))[1] AS tenant,
                                   (array_agg(job_state ORDER BY ended_at DESC))[1] AS state,
                                   (array_agg(exit_code ORDER BY attempt DESC, exit_code DESC NULLS LAST))[1] AS exit_code,
                                   min(started_at) AS started_at, max(ended_at) AS finished_at
                            """.formatted(SUMS) + where + " GROUP BY job_id ORDER BY min(started_at), job_id")
                    .params(params).query(UsageReports::jobGroup).list();
            default -> throw ApiException.invalid("groupBy", "must be tenant, job or model but was '" + by + "'");
        };
        UsageReport.Totals totals = jdbc.sql("SELECT " + SUMS + where).params(params)
                .query((rs, n) -> new UsageReport.Totals(number(rs, "gpu_hours"), number(rs, "cpu_hours"),
                        number(rs, "energy_kwh"), rs.getLong("jobs"))).single();
        return new UsageReport(start, end, by, groups, totals);
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException again) {
                throw ApiException.invalid(field, "expected an ISO-8601 instant such as 2026-01-31T00:00:00Z but was '"
                        + value + "'");
            }
        }
    }

    private static UsageReport.Group keyGroup(ResultSet rs, int n) throws SQLException {
        return new UsageReport.KeyGroup(rs.getString("key"), number(rs, "gpu_hours"), number(rs, "cpu_hours"),
                number(rs, "energy_kwh"), rs.getLong("jobs"));
    }

    private static UsageReport.Group jobGroup(ResultSet rs, int n) throws SQLException {
        return new UsageReport.JobGroup(rs.getString("key"), number(rs, "gpu_hours"), number(rs, "cpu_hours"),
                number(rs, "energy_kwh"), rs.getLong("jobs"), rs.getString("job_name"), rs.getString("tenant"),
                rs.getString("state"), (Integer) rs.getObject("exit_code"),
                rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("finished_at").toInstant());
    }

    /** A sum; 0 over no rows. */
    private static double number(ResultSet rs, String column) throws SQLException {
        java.math.BigDecimal d = rs.getBigDecimal(column);
        return d == null ? 0 : d.doubleValue();
    }
}
