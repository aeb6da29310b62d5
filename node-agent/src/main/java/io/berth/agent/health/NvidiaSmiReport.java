package io.berth.agent.health;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code nvidia-smi -q} says about the health of each GPU: ECC error counters, retired pages and remapped rows,
 * and the GPUs it could not reach at all. Reads the drivers' text layouts: R450 and newer ({@code SRAM/DRAM
 * Correctable/Uncorrectable}, R550's {@code SRAM Uncorrectable Parity/SEC-DED}) and the older per-location layout
 * ({@code Single Bit/Double Bit ... Total}). Sections are told apart by their indentation, as nvidia-smi prints them.
 * Counters that read {@code N/A} (a GPU without ECC, or without page retirement) are null.
 *
 * @param gpus one entry per GPU section, in the order printed
 * @param lost GPUs nvidia-smi names as unreachable ("Unable to determine the device handle for GPU ...")
 */
public record NvidiaSmiReport(List<Gpu> gpus, List<Lost> lost) {
    private static final Pattern GPU_HEADER = Pattern.compile("^GPU ([0-9A-Fa-f]{8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-7])\\s*$");
    private static final Pattern LOST = Pattern.compile(
            "Unable to determine the device handle for (?:GPU)?\\s*([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}(?:\\.[0-7])?):\\s*(.*)$");
    private static final Pattern ENTRY = Pattern.compile("^(\\s*)([^:]+?)\\s*:\\s*(.*?)\\s*$");

    /**
     * One GPU's counters. Uncorrectable = double-bit; correctable = single-bit. Volatile counts are since the
     * driver loaded, aggregate ones over the device's life.
     *
     * @param pciBusId normalized, see {@link PciBusId}
     */
    public record Gpu(String pciBusId, Long volatileCorrectable, Long volatileUncorrectable,
                      Long aggregateCorrectable, Long aggregateUncorrectable, Long retiredSingleBit,
                      Long retiredDoubleBit, Boolean retirementPending, Long remappedCorrectable,
                      Long remappedUncorrectable, Boolean remapPending, Boolean remapFailure) {
    }

    /** @param message what nvidia-smi said, e.g. "GPU is lost.  Reboot the system to recover this GPU" */
    public record Lost(String pciBusId, String message) {
    }

    public static NvidiaSmiReport parse(String output) {
        List<Gpu> gpus = new ArrayList<>();
        List<Lost> lost = new ArrayList<>();
        Builder current = null;
        Deque<String[]> sections = new ArrayDeque<>(); // {indent, title}
        for (String raw : output.split("\\R")) {
            String line = raw.replace("\t", "    ");
            Matcher lostLine = LOST.matcher(line);
            if (lostLine.find()) {
                lost.add(new Lost(PciBusId.normalize(lostLine.group(1)), lostLine.group(2).strip()));
                continue;
            }
            Matcher header = GPU_HEADER.matcher(line);
            if (header.matches()) {
                if (current != null) gpus.add(current.build());
                current = new Builder(PciBusId.normalize(header.group(1)));
                sections.clear();
                continue;
            }
            if (current == null || line.isBlank()) continue;
            int indent = line.length() - line.stripLeading().length();
            while (!sections.isEmpty() && Integer.parseInt(sections.peek()[0]) >= indent) sections.pop();
            Matcher entry = ENTRY.matcher(line);
            if (!entry.matches()) {
                sections.push(new String[]{Integer.toString(indent), line.strip()});
                continue;
            }
            current.entry(path(sections), entry.group(2).strip(), entry.group(3));
        }
        if (current != null) gpus.add(current.build());
        return new NvidiaSmiReport(List.copyOf(gpus), List.copyOf(lost));
    }

    /** The enclosing section titles, outermost first, joined with '/'. */
    private static String path(Deque<String[]> sections) {
        List<String> titles = new ArrayList<>();
        sections.descendingIterator().forEachRemaining(s -> titles.add(s[1]));
        return String.join("/", titles);
    }

    private static final class Builder {
        private final String bus;
        private final Long[] ecc = new Long[4]; // volatile corr, volatile uncorr, aggregate corr, aggregate uncorr
        private Long retiredSingle;
        private Long retiredDouble;
        private Boolean retirementPending;
        private Long remappedCorrectable;
        private Long remappedUncorrectable;
        private Boolean remapPending;
        private Boolean remapFailure;

        Builder(String bus) {
            this.bus = bus;
        }

        void entry(String path, String key, String value) {
            if (path.startsWith("ECC Errors/Volatile") || path.startsWith("ECC Errors/Aggregate")) {
                int base = path.startsWith("ECC Errors/Volatile") ? 0 : 2;
                String sub = path.substring(base == 0 ? "ECC Errors/Volatile".length() : "ECC Errors/Aggregate".length());
                if (sub.isEmpty()) {
                    // R450+: "DRAM Uncorrectable", "SRAM Uncorrectable Parity", "SRAM Correctable", ...
                    if (key.contains("Uncorrectable")) ecc[base + 1] = add(ecc[base + 1], count(value));
                    else if (key.contains("Correctable")) ecc[base] = add(ecc[base], count(value));
                } else if (key.equals("Total")) {
                    // older drivers: "Single Bit" / "Double Bit" blocks, each ending with "Total"
                    if (sub.endsWith("Double Bit")) ecc[base + 1] = count(value);
                    else if (sub.endsWith("Single Bit")) ecc[base] = count(value);
                }
            } else if (path.equals("Retired Pages")) {
                switch (key) {
                    case "Single Bit ECC" -> retiredSingle = count(value);
                    case "Double Bit ECC" -> retiredDouble = count(value);
                    case "Pending Page Blacklist", "Pending Page Retirement", "Pending" -> retirementPending = yes(value);
                    default -> {
                    }
                }
            } else if (path.equals("Remapped Rows")) {
                switch (key) {
                    case "Correctable Error" -> remappedCorrectable = count(value);
                    case "Uncorrectable Error" -> remappedUncorrectable = count(value);
                    case "Pending" -> remapPending = yes(value);
                    case "Remapping Failure Occurred" -> remapFailure = yes(value);
                    default -> {
                    }
                }
            }
        }

        Gpu build() {
            return new Gpu(bus, ecc[0], ecc[1], ecc[2], ecc[3], retiredSingle, retiredDouble, retirementPending,
                    remappedCorrectable, remappedUncorrectable, remapPending, remapFailure);
        }

        private static Long add(Long a, Long b) {
            if (b == null) return a;
            return a == null ? b : a + b;
        }

        /** A counter; null for N/A or anything else that is not a number. */
        private static Long count(String value) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static Boolean yes(String value) {
            return switch (value.strip()) {
                case "Yes" -> true;
                case "No" -> false;
                default -> null;
            };
        }
    }
}
