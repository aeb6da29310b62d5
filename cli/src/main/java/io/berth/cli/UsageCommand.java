package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code berth usage}: what was used in a period (sacct / sreport): GPU-hours, CPU-hours, energy and jobs per tenant,
 * job or GPU model, from the accounting records (a worker counts in the period in which it released its resources).
 */
@Command(name = "usage", description = "GPU-hours, CPU-hours, energy and jobs per tenant, job or GPU model in a period "
        + "(from the accounting records of released workers).")
final class UsageCommand implements Callable<Integer> {
    private static final Pattern AGO = Pattern.compile("(\\d+)([mhd])");

    @ParentCommand
    Berth root;
    @Option(names = {"-S", "--from"}, paramLabel = "WHEN",
            description = "start: 2026-12-01, 2026-12-01T08:00:00Z, or 24h / 7d / 30m ago (default 7 days before --to)")
    String from;
    @Option(names = {"-E", "--to"}, paramLabel = "WHEN", description = "end (exclusive), same forms (default now)")
    String to;
    @Option(names = "--by", paramLabel = "GROUP", defaultValue = "tenant",
            description = "tenant (default), job or model")
    String by;
    @Mixin
    Out.Formats formats;

    @Override
    public Integer call() {
        Instant now = Instant.now();
        StringBuilder q = new StringBuilder("/api/v1/reports/usage?groupBy=").append(Api.seg(by));
        if (from != null) q.append("&from=").append(Api.seg(instant("--from", from, now).toString()));
        if (to != null) q.append("&to=").append(Api.seg(instant("--to", to, now).toString()));
        JsonNode r = root.api().get(q.toString());
        if (Out.structured(root.out, formats, r)) return Berth.OK;
        boolean jobs = "job".equals(Out.text(r, "groupBy", by));
        Out.Table t = jobs
                ? new Out.Table("JOB", "NAME", "TENANT", "STATE", "EXIT", "GPU-HOURS", "CPU-HOURS", "KWH")
                : new Out.Table(by.toUpperCase(Locale.ROOT), "JOBS", "GPU-HOURS", "CPU-HOURS", "KWH");
        for (JsonNode g : r.path("groups")) {
            if (jobs) t.row(Out.text(g, "key", ""), Out.text(g, "jobName", ""), Out.text(g, "tenant", ""),
                    Out.text(g, "state", ""), Out.text(g, "exitCode", ""), hours(g, "gpuHours"), hours(g, "cpuHours"),
                    hours(g, "energyKwh"));
            else t.row(Out.text(g, "key", ""), Out.text(g, "jobs", "0"), hours(g, "gpuHours"), hours(g, "cpuHours"),
                    hours(g, "energyKwh"));
        }
        root.out.println("Usage from " + Out.text(r, "from", "?") + " to " + Out.text(r, "to", "?"));
        if (t.empty()) {
            root.out.println("No usage recorded in this period.");
            return Berth.OK;
        }
        JsonNode total = r.path("totals");
        if (jobs) t.row("TOTAL", "", "", "", "", hours(total, "gpuHours"), hours(total, "cpuHours"), hours(total, "energyKwh"));
        else t.row("TOTAL", Out.text(total, "jobs", "0"), hours(total, "gpuHours"), hours(total, "cpuHours"),
                hours(total, "energyKwh"));
        t.print(root.out);
        return Berth.OK;
    }

    private static String hours(JsonNode n, String field) {
        return String.format(Locale.US, "%.3f", n.path(field).asDouble());
    }

    /** An instant, a date (midnight UTC) or a duration ago: 30m, 24h, 7d. */
    static Instant instant(String option, String value, Instant now) {
        Matcher ago = AGO.matcher(value);
        if (ago.matches()) {
            long n = Long.parseLong(ago.group(1));
            Duration d = switch (ago.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return value.contains("T") ? Instant.parse(value) : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw Berth.CliException.usage(option + ": expected 2026-12-01, 2026-12-01T08:00:00Z, or 30m / 24h / 7d "
                    + "(ago), got '" + value + "'");
        }
    }
}
