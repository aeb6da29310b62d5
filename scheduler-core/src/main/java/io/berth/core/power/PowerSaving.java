package io.berth.core.power;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Slurm-like power saving settings (SuspendTime, SuspendExcNodes/Parts, SuspendRate, ResumeRate, ResumeTimeout).
 *
 * @param enabled             false = the policy decides nothing (every list of its decision is empty)
 * @param suspendAfter        an ON server idle at least this long may be suspended (Slurm's SuspendTime); > 0
 * @param keepIdleOn          idle ON servers never suspended, whatever their idle time; >= 0
 * @param maxSuspendPerMinute suspends started in any minute; > 0 (Slurm's SuspendRate)
 * @param maxResumePerMinute  resumes started in any minute; > 0 (Slurm's ResumeRate)
 * @param excludedServers     server names never suspended (Slurm's SuspendExcNodes); they are still resumed when off
 * @param excludedRacks       rack names whose servers are never suspended (Slurm's SuspendExcParts, by rack)
 * @param resumeTimeout       a server still resuming this long after the resume was sent has failed to resume; > 0
 * @param expectedResume      how long a resume usually takes, for the "expected ready at" of waiting jobs; >= 0
 */
public record PowerSaving(boolean enabled, Duration suspendAfter, int keepIdleOn, int maxSuspendPerMinute,
                          int maxResumePerMinute, Set<String> excludedServers, Set<String> excludedRacks,
                          Duration resumeTimeout, Duration expectedResume) {
    /**
     * @throws IllegalArgumentException naming the first field out of range
     */
    public PowerSaving {
        positive(suspendAfter, "suspendAfter");
        positive(resumeTimeout, "resumeTimeout");
        Objects.requireNonNull(expectedResume, "expectedResume");
        if (expectedResume.isNegative()) throw new IllegalArgumentException("expectedResume must be >= 0, was " + expectedResume);
        if (keepIdleOn < 0) throw new IllegalArgumentException("keepIdleOn must be >= 0, was " + keepIdleOn);
        if (maxSuspendPerMinute <= 0)
            throw new IllegalArgumentException("maxSuspendPerMinute must be > 0, was " + maxSuspendPerMinute);
        if (maxResumePerMinute <= 0)
            throw new IllegalArgumentException("maxResumePerMinute must be > 0, was " + maxResumePerMinute);
        excludedServers = Set.copyOf(Objects.requireNonNull(excludedServers, "excludedServers"));
        excludedRacks = Set.copyOf(Objects.requireNonNull(excludedRacks, "excludedRacks"));
    }

    /** Disabled; the other fields are the defaults of the control plane's configuration. */
    public static PowerSaving off() {
        return new PowerSaving(false, Duration.ofMinutes(30), 0, 10, 10, Set.of(), Set.of(), Duration.ofMinutes(10),
                Duration.ofMinutes(3));
    }

    /** True when the server, or its rack, is excluded from suspending. {@code rack} may be null. */
    public boolean excluded(String server, String rack) {
        return excludedServers.contains(server) || (rack != null && excludedRacks.contains(rack));
    }

    private static void positive(Duration d, String field) {
        if (d == null) throw new IllegalArgumentException(field + " is required");
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(field + " must be > 0, was " + d);
    }
}
