package io.berth.core.power;

import java.time.Instant;
import java.util.Objects;

/**
 * One server as the power saving policy sees it.
 *
 * @param rack      its rack's name, or null
 * @param idleSince since when nothing runs on it; null = something runs on it (busy)
 * @param changedAt when its {@link PowerState} last changed (the resume timeout counts from it); null = unknown
 */
public record PowerServer(String name, String rack, PowerState power, Instant idleSince, Instant changedAt) {
    public PowerServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(power, "power");
    }
}
