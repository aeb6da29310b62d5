package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import io.berth.core.inventory.AcceleratorKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Alibaba node-list CSV ({@code sn,cpu_milli,memory_mib,gpu,model}, header required, columns in any
 * order) into servers in the default rack. Every row is checked before anything is returned; errors name the row
 * (1-based, not counting the header) and the column, e.g. {@code rows[12].cpu_milli}.
 */
final class NodeListCsv {
    static final List<String> COLUMNS = List.of("sn", "cpu_milli", "memory_mib", "gpu", "model");
    private static final int MAX_GPUS = 64;

    /** Device memory of the public models in the trace; G1-G3 are undisclosed, so 0 (unknown). */
    private static final Map<String, Integer> KNOWN_MEMORY_MIB = Map.of(
            "P100", 16384, "T4", 16384, "V100M16", 16384, "V100M32", 32768, "A10", 24576);

    private NodeListCsv() {
    }

    static List<ServerSpec> parse(String text) {
        List<String> lines = text.lines().toList();
        int headerLine = 0;
        while (headerLine < lines.size() && lines.get(headerLine).isBlank()) headerLine++;
        if (headerLine == lines.size()) throw Invalid.field("header", "the CSV is empty; expected a header "
                + String.join(",", COLUMNS));
        String[] header = split(lines.get(headerLine).replace("\uFEFF", ""));
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < header.length; i++) position.put(header[i].trim(), i);
        List<FieldError> errors = new ArrayList<>();
        for (String column : COLUMNS) {
            if (!position.containsKey(column)) errors.add(new FieldError("header", "missing column '" + column + "'"));
        }
        if (!errors.isEmpty()) throw Invalid.fields(errors);

        List<ServerSpec> servers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int row = 0;
        for (int l = headerLine + 1; l < lines.size(); l++) {
            if (lines.get(l).isBlank()) continue;
            row++;
            String at = "rows[" + row + "].";
            String[] cells = split(lines.get(l));
            if (cells.length != header.length) {
                errors.add(new FieldError("rows[" + row + "]", "line " + (l + 1) + " has " + cells.length
                        + " columns, the header has " + header.length));
                continue;
            }
            String name = cells[position.get("sn")].trim();
            if (!name.matches(Names.PATTERN)) errors.add(new FieldError(at + "sn", Names.MESSAGE));
            else if (seen.putIfAbsent(name, row) != null)
                errors.add(new FieldError(at + "sn", "duplicate name '" + name + "' (first in row " + seen.get(name) + ")"));
            Long cpu = number(cells[position.get("cpu_milli")], at + "cpu_milli", Long.MAX_VALUE, errors);
            Long memory = number(cells[position.get("memory_mib")], at + "memory_mib", Long.MAX_VALUE, errors);
            Long gpus = number(cells[position.get("gpu")], at + "gpu", MAX_GPUS, errors);
            String model = cells[position.get("model")].trim();
            if (gpus != null && gpus > 0 && model.isEmpty())
                errors.add(new FieldError(at + "model", "required when gpu > 0"));
            if (cpu == null || memory == null || gpus == null) continue;
            List<AcceleratorSpec> accelerators = new ArrayList<>();
            for (int i = 0; i < gpus; i++) {
                accelerators.add(new AcceleratorSpec(i, AcceleratorKind.GPU, KNOWN_MEMORY_MIB.containsKey(model) ? "NVIDIA" : "",
                        model, KNOWN_MEMORY_MIB.getOrDefault(model, 0), null, null));
            }
            servers.add(new ServerSpec(name, ServerSpec.DEFAULT_RACK, cpu, memory, null, null, null, null, null,
                    accelerators, null));
        }
        if (!errors.isEmpty()) throw Invalid.fields(errors);
        if (servers.isEmpty()) throw Invalid.field("rows", "the CSV has a header but no rows");
        return servers;
    }

    private static Long number(String cell, String field, long max, List<FieldError> errors) {
        String v = cell.trim();
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > max) {
                errors.add(new FieldError(field, (n < 0 ? "must be >= 0" : "must be at most " + max) + ", got " + v));
                return null;
            }
            return n;
        } catch (NumberFormatException e) {
            errors.add(new FieldError(field, v.isEmpty() ? "is required" : "must be a non-negative integer, got '" + v + "'"));
            return null;
        }
    }

    /** Splits one CSV line; supports double-quoted cells with "" escapes (RFC 4180, no embedded newlines). */
    private static String[] split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells.toArray(String[]::new);
    }
}
