package io.berth.api.reports;

import io.berth.api.auth.Caller;
import io.berth.api.errors.Invalid;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

@RestController
@RequestMapping("/api/v1/reports/usage")
class UsageReportController {
    private static final String FROM = "start of the window, ISO-8601 instant (e.g. 2026-01-01T00:00:00Z); default 7 "
            + "days before `to`";
    private static final String TO = "end of the window (exclusive), ISO-8601 instant; default now";
    private static final String GROUP_BY = "tenant (default), job or model (accelerator model; `none` for CPU-only work)";
    private static final String BUCKET = "hour or day (UTC): adds to each group a `series` of its usage per bucket, "
            + "oldest first, buckets without usage omitted; each record is spread over the buckets it held its "
            + "resources in (the part before `from` is in none); at most 1000 buckets. JSON only: the CSV form refuses "
            + "it with 400";

    private final UsageReports reports;

    UsageReportController(UsageReports reports) {
        this.reports = reports;
    }

    /**
     * GPU-hours, CPU core-hours, energy (kWh, estimated from the inventory's power figures) and jobs, per group, of the
     * workers whose resources were released in the window; callers with the USER role see only their tenant.
     */
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @ApiResponse(responseCode = "200", description = "the report; with `Accept: text/csv` the groups as CSV",
            content = {@Content(mediaType = "application/json", schema = @Schema(implementation = UsageReport.class)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = "string"))})
    UsageReport json(@Parameter(description = FROM) @RequestParam(required = false) String from,
                     @Parameter(description = TO) @RequestParam(required = false) String to,
                     @Parameter(description = GROUP_BY) @RequestParam(required = false) String groupBy,
                     @Parameter(description = BUCKET) @RequestParam(required = false) String bucket) {
        return reports.report(Caller.current(), from, to, groupBy, bucket);
    }

    /**
     * The groups as CSV (RFC 4180), one row each after a header with the JSON's field names; no totals row. A text
     * cell that starts with =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. A series has no
     * place in those rows, so {@code bucket} is refused (400) rather than silently dropped.
     */
    @GetMapping(produces = "text/csv")
    String csv(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
               @RequestParam(required = false) String groupBy, @RequestParam(required = false) String bucket) {
        if (bucket != null) throw Invalid.field("bucket", "series are JSON only: ask with Accept: "
                + "application/json, or leave bucket out for the CSV");
        UsageReport r = reports.report(Caller.current(), from, to, groupBy);
        boolean jobs = r.groupBy().equals("job");
        StringBuilder out = new StringBuilder("key,gpuHours,cpuHours,energyKwh,jobs");
        if (jobs) out.append(",jobName,tenant,state,exitCode,startedAt,finishedAt");
        out.append("\r\n");
        for (UsageReport.Group g : r.groups()) {
            List<Object> row = new java.util.ArrayList<>(List.of(g.key(), g.gpuHours(), g.cpuHours(), g.energyKwh(),
                    g.jobs()));
            if (g instanceof UsageReport.JobGroup j) {
                row.addAll(java.util.Arrays.asList(j.jobName(), j.tenant(), j.state(), j.exitCode(), j.startedAt(),
                        j.finishedAt()));
            }
            out.append(String.join(",", row.stream().map(UsageReportController::cell).toList())).append("\r\n");
        }
        return out.toString();
    }

    private static String cell(Object value) {
        if (value == null) return "";
        if (value instanceof Double d) return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        String s = value.toString();
        if (value instanceof String && !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) s = "'" + s;
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r"))
            s = "\"" + s.replace("\"", "\"\"") + "\"";
        return s;
    }
}
