package io.berth.api.inventory;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * An accelerator as the API reads and writes it.
 *
 * @param index              0-based position on the server; when omitted, the position in the list
 * @param memoryMib          device memory in MiB (0 = unknown)
 * @param interconnectDomain NVLink/ICI island id; null = the device is alone in its domain
 * @param health             default HEALTHY
 */
public record AcceleratorSpec(@PositiveOrZero @Max(1023) Integer index,
                              @NotNull AcceleratorKind kind,
                              @Size(max = 64) String vendor,
                              @NotBlank @Size(max = 64) String model,
                              @NotNull @PositiveOrZero Integer memoryMib,
                              @Size(max = 64) String interconnectDomain,
                              AcceleratorHealth health) {

    Accelerator toAccelerator(int position) {
        return new Accelerator(index == null ? position : index, kind, vendor, model, memoryMib, interconnectDomain,
                health);
    }

    static AcceleratorSpec of(Accelerator a) {
        return new AcceleratorSpec(a.index(), a.kind(), a.vendor(), a.model(), a.memoryMib(), a.interconnectDomain(),
                a.health());
    }
}
