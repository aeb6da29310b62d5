package io.berth.core.inventory;

import java.util.Objects;

/** A local storage device of a server. Capacity in GiB, throughput in MB/s. */
public record LocalDevice(String name, StorageMedium medium, long capacityGib, int readMbPerSec, int writeMbPerSec) {
    public LocalDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(medium, "medium");
        if (capacityGib < 0 || readMbPerSec < 0 || writeMbPerSec < 0)
            throw new IllegalArgumentException("storage capacity and throughput must be >= 0");
    }
}
