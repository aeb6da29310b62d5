package io.berth.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Values of the sbatch-like flags, in the API's units (millicores, MiB, seconds). A bad value is a usage error. */
final class Units {
    private Units() {
    }

    /** CPUs: {@code 8} or {@code 0.5} cores, or {@code 500m} millicores. */
    static final class Cpus implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            try {
                if (v.endsWith("m")) return positive(new BigDecimal(v.substring(0, v.length() - 1)), v).longValueExact();
                return positive(new BigDecimal(v).movePointRight(3), v).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                throw new TypeConversionException("'" + v + "' is not a CPU amount (8, 0.5 or 500m)");
            }
        }
    }

    /**
     * Memory: {@code 32G}, {@code 512M}, {@code 1T}, {@code 1.5G}, also as Kubernetes writes them ({@code 256Mi},
     * {@code 1Gi}) or with a B ({@code 2GB}, {@code 2GiB}); all binary (1G = 1024M). A bare number is MiB (as
     * sbatch's --mem).
     */
    static final class Mem implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            String s = v.strip().toUpperCase().replaceAll("(?<=[KMGT])I?B?$", "");
            long factor = 1;
            if (s.endsWith("K")) factor = -1024;
            else if (s.endsWith("M")) factor = 1;
            else if (s.endsWith("G")) factor = 1024;
            else if (s.endsWith("T")) factor = 1024 * 1024;
            if (s.matches(".*[KMGT]")) s = s.substring(0, s.length() - 1); // any other letter: not a number below
            try {
                BigDecimal n = new BigDecimal(s);
                BigDecimal mib = factor < 0 ? n.divide(BigDecimal.valueOf(-factor), 0, java.math.RoundingMode.CEILING)
                        : n.multiply(BigDecimal.valueOf(factor));
                return positive(mib.setScale(0, java.math.RoundingMode.CEILING), v).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                throw new TypeConversionException("'" + v + "' is not a memory size (32G, 512M, 1T, 256Mi; a number is MiB)");
            }
        }
    }

    /** Run time: minutes ({@code 90}), or {@code MM:SS}, {@code H:MM:SS}, as sbatch's --time; in seconds. */
    static final class Minutes implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                String[] parts = v.split(":");
                long seconds = switch (parts.length) {
                    case 1 -> Long.parseLong(parts[0]) * 60;
                    case 2 -> Long.parseLong(parts[0]) * 60 + Long.parseLong(parts[1]);
                    case 3 -> Long.parseLong(parts[0]) * 3600 + Long.parseLong(parts[1]) * 60 + Long.parseLong(parts[2]);
                    default -> throw new NumberFormatException();
                };
                if (seconds <= 0) throw new NumberFormatException();
                return Math.toIntExact(seconds);
            } catch (ArithmeticException | NumberFormatException e) {
                throw new TypeConversionException("'" + v + "' is not a run time (minutes, MM:SS or H:MM:SS)");
            }
        }
    }

    /** Job array indexes: {@code 0-15}, {@code 1,3,5}, {@code 0-15:4}, or a mix; at most 1,000 (the batch limit). */
    record Indexes(List<Integer> values) {
    }

    static final class Array implements ITypeConverter<Indexes> {
        @Override
        public Indexes convert(String v) {
            TreeSet<Integer> indexes = new TreeSet<>();
            try {
                for (String part : v.split(",")) {
                    String[] range = part.split(":");
                    int step = range.length == 2 ? Integer.parseInt(range[1]) : 1;
                    if (range.length > 2 || step < 1) throw new NumberFormatException();
                    String[] ends = range[0].split("-");
                    int from = Integer.parseInt(ends[0]);
                    int to = ends.length == 2 ? Integer.parseInt(ends[1]) : from;
                    if (ends.length > 2 || from < 0 || to < from) throw new NumberFormatException();
                    for (long i = from; i <= to; i += step) {
                        indexes.add((int) i);
                        if (indexes.size() > 1000) throw new TypeConversionException("--array: at most 1,000 jobs");
                    }
                }
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + v + "' is not an array (0-15, 1,3,5 or 0-15:4)");
            }
            return new Indexes(new ArrayList<>(indexes));
        }
    }

    private static BigDecimal positive(BigDecimal n, String v) {
        if (n.signum() <= 0) throw new NumberFormatException(v);
        return n;
    }
}
