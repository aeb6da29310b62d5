package io.berth.core.inventory;

import java.util.List;
import java.util.Objects;

/** A shared NAS or SAN volume reachable from the listed racks. Capacity in GiB, bandwidth in MB/s. */
public record SharedVolume(String name, SharedVolumeKind kind, long capacityGib, int bandwidthMbPerSec,
                           List<String> racks) {
    public SharedVolume {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (capacityGib < 0 || bandwidthMbPerSec < 0)
            throw new IllegalArgumentException("capacity and bandwidth must be >= 0");
        racks = racks == null ? List.of() : List.copyOf(racks);
    }
}
