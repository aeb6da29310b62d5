package io.berth.api.power;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's power samples of the last {@link #KEEP}, in memory, oldest first: what this replica sampled since it
 * started (a restart starts an empty history; every replica samples the same database). Per-zone and per-rack
 * figures are kept as arrays against name lists shared between consecutive samples, so a day of samples every 10 s
 * of a cluster of 100 racks takes a few MB. Thread-safe.
 */
final class PowerHistory {
    static final Duration KEEP = Duration.ofHours(24);

    /**
     * One sample as the history endpoint answers it.
     *
     * @param zones watts by zone name
     * @param racks watts by rack name
     */
    record Sample(Instant at, long itWatts, long facilityWatts, Map<String, Long> zones, Map<String, Long> racks) {
    }

    private record Stored(Instant at, long itWatts, long facilityWatts, String[] zoneNames, long[] zoneWatts,
                          String[] rackNames, long[] rackWatts) {
        Sample sample() {
            return new Sample(at, itWatts, facilityWatts, map(zoneNames, zoneWatts), map(rackNames, rackWatts));
        }

        private static Map<String, Long> map(String[] names, long[] watts) {
            Map<String, Long> m = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) m.put(names[i], watts[i]);
            return m;
        }
    }

    private final ArrayDeque<Stored> samples = new ArrayDeque<>();

    synchronized void add(PowerFigures.ClusterPower p) {
        String[] zones = p.zones().stream().map(PowerFigures.ZonePower::zone).toArray(String[]::new);
        String[] racks = p.racks().stream().map(PowerFigures.RackPower::rack).toArray(String[]::new);
        Stored last = samples.peekLast();
        if (last != null && Arrays.equals(last.zoneNames(), zones)) zones = last.zoneNames();
        if (last != null && Arrays.equals(last.rackNames(), racks)) racks = last.rackNames();
        samples.addLast(new Stored(p.at(), p.itWatts(), p.facilityWatts(),
                zones, p.zones().stream().mapToLong(PowerFigures.ZonePower::itWatts).toArray(),
                racks, p.racks().stream().mapToLong(PowerFigures.RackPower::itWatts).toArray()));
        Instant horizon = p.at().minus(KEEP);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(horizon)) samples.removeFirst();
    }

    /** The samples taken at or after {@code since}, oldest first. */
    List<Sample> since(Instant since) {
        List<Stored> recent;
        synchronized (this) {
            recent = samples.stream().filter(s -> !s.at().isBefore(since)).toList();
        }
        return recent.stream().map(Stored::sample).toList();
    }
}
