package io.berth.api.inventory;

import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.StorageMedium;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** A local storage device: capacity in GiB, throughput in MB/s. */
public record LocalDeviceSpec(@NotBlank @Size(max = 64) String name,
                              @NotNull StorageMedium medium,
                              @NotNull @PositiveOrZero Long capacityGib,
                              @NotNull @PositiveOrZero Integer readMbPerSec,
                              @NotNull @PositiveOrZero Integer writeMbPerSec) {

    LocalDevice toDevice() {
        return new LocalDevice(name, medium, capacityGib, readMbPerSec, writeMbPerSec);
    }

    static LocalDeviceSpec of(LocalDevice d) {
        return new LocalDeviceSpec(d.name(), d.medium(), d.capacityGib(), d.readMbPerSec(), d.writeMbPerSec());
    }
}
