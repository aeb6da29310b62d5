package io.berth.cli;

import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Output of the read verbs: tables (kubectl-like columns), or the server's JSON as JSON or YAML. */
final class Out {
    private Out() {
    }

    enum Format { table, wide, json, yaml }

    /** {@code -o table|wide|json|yaml}, on every read verb. */
    static final class Formats {
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table (default), wide (more columns), json or yaml (the API's answer)")
        Format format = Format.table;

        boolean structured() {
            return format == Format.json || format == Format.yaml;
        }

        boolean wide() {
            return format == Format.wide;
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** Prints the value as JSON or YAML; false for table formats (the caller prints its table). */
    static boolean structured(PrintStream out, Formats f, JsonNode value) {
        switch (f.format) {
            case json -> out.println(Api.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
            case yaml -> out.print(YAML.writeValueAsString(value));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A text table: columns separated by three spaces, as kubectl prints them. */
    static final class Table {
        private final List<String> headers;
        private final List<List<String>> rows = new ArrayList<>();

        Table(String... headers) {
            this.headers = List.of(headers);
        }

        Table row(String... cells) {
            List<String> r = new ArrayList<>();
            for (String c : cells) r.add(c == null ? "" : c);
            rows.add(r);
            return this;
        }

        boolean empty() {
            return rows.isEmpty();
        }

        void print(PrintStream out) {
            int[] width = new int[headers.size()];
            for (int i = 0; i < width.length; i++) width[i] = headers.get(i).length();
            for (List<String> r : rows)
                for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
            line(out, headers, width);
            for (List<String> r : rows) line(out, r, width);
        }

        private static void line(PrintStream out, List<String> cells, int[] width) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String c = cells.get(i);
                b.append(c);
                if (i < width.length - 1) b.append(" ".repeat(width[i] - c.length() + 3));
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /** The field as text, or {@code fallback} when it is missing or null. */
    static String text(JsonNode n, String field, String fallback) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) return fallback;
        return v.isValueNode() ? v.asString() : v.toString();
    }

    /** kubectl's age: 45s, 12m, 5h, 3d. */
    static String age(String instant, Instant now) {
        if (instant == null) return "";
        long s = Math.max(0, Duration.between(Instant.parse(instant), now).getSeconds());
        if (s < 120) return s + "s";
        if (s < 7200) return s / 60 + "m";
        if (s < 172800) return s / 3600 + "h";
        return s / 86400 + "d";
    }

    /** Thousandths as a decimal without trailing zeros: 2000 -> "2", 500 -> "0.5". */
    static String milli(long m) {
        return BigDecimal.valueOf(m).divide(BigDecimal.valueOf(1000), 3, RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }

    /** MiB as GiB with at most one decimal: 32768 -> "32", 1536 -> "1.5". */
    static String gib(long mib) {
        return BigDecimal.valueOf(mib).divide(BigDecimal.valueOf(1024), 1, RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }

    static String cut(String s, int max) {
        if (s == null) return "";
        String one = Berth.oneLine(s);
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }
}
