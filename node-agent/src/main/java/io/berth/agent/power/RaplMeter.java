package io.berth.agent.power;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU package power from Linux RAPL (the powercap framework): {@code <root>/intel-rapl:N/energy_uj} of every package
 * zone N (sub-zones such as {@code intel-rapl:0:0}, the cores or DRAM, are inside their package and not added; the
 * driver also lists AMD packages there). Each {@link #read()} reads the counters; watts = the energy counted since the
 * previous read / the time between the reads. The counter wraps at {@code max_energy_range_uj}: a value lower than the
 * previous one counted on from there. Not thread-safe (the agent's heartbeat loop is its only caller).
 */
public final class RaplMeter {
    /** The powercap root of a Linux machine. */
    public static final Path SYSFS = Path.of("/sys/class/powercap");
    private static final Pattern PACKAGE = Pattern.compile("intel-rapl:\\d+");

    private record Reading(long energyUj, long nanos) {
    }

    private final Path root;
    private final LongSupplier nanoTime;
    private final Map<String, Reading> previous = new HashMap<>();

    /**
     * @param root     the powercap directory ({@link #SYSFS}; tests give a directory of their own)
     * @param nanoTime monotonic clock, ns ({@code System::nanoTime})
     */
    public RaplMeter(Path root, LongSupplier nanoTime) {
        this.root = root;
        this.nanoTime = nanoTime;
    }

    /**
     * The package power since the previous call, watts, summed over the packages; empty on the first call, when there
     * is no package zone, when a counter cannot be read (energy_uj is readable by root only on many kernels) or when
     * no time passed. A package that appears starts its own baseline and is not added until the next read.
     */
    public OptionalDouble read() {
        List<Path> zones;
        try (Stream<Path> s = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            zones = s.filter(p -> PACKAGE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
        long now = nanoTime.getAsLong();
        double watts = 0;
        boolean complete = !zones.isEmpty();
        Map<String, Reading> current = new HashMap<>();
        for (Path zone : zones) {
            long energy;
            try {
                energy = readLong(zone.resolve("energy_uj"));
            } catch (IOException | NumberFormatException e) {
                previous.clear();
                return OptionalDouble.empty();
            }
            String name = zone.getFileName().toString();
            current.put(name, new Reading(energy, now));
            Reading before = previous.get(name);
            if (before == null || now <= before.nanos()) {
                complete = false;
                continue;
            }
            long delta = energy - before.energyUj();
            if (delta < 0) {
                long range;
                try {
                    range = readLong(zone.resolve("max_energy_range_uj"));
                } catch (IOException | NumberFormatException e) {
                    complete = false;
                    continue;
                }
                delta += range;
                if (delta < 0) { // not a wrap (a reset, or a range we misread): no figure for this interval
                    complete = false;
                    continue;
                }
            }
            watts += delta / 1e6 / ((now - before.nanos()) / 1e9);
        }
        previous.clear();
        previous.putAll(current);
        return complete ? OptionalDouble.of(watts) : OptionalDouble.empty();
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }
}
