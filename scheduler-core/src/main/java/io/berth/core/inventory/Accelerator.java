package io.berth.core.inventory;

import java.util.Objects;

/**
 * One accelerator of a server.
 *
 * @param index              position on the server (0-based, unique per server); the value used in CUDA_VISIBLE_DEVICES
 * @param interconnectDomain id of the NVLink (or ICI) island this device belongs to; devices of one server with the
 *                           same domain talk over the fast interconnect. Null or blank means "own domain".
 */
public record Accelerator(int index, AcceleratorKind kind, String vendor, String model, int memoryMib,
                          String interconnectDomain, AcceleratorHealth health) {
    public Accelerator {
        if (index < 0) throw new IllegalArgumentException("index must be >= 0");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        if (memoryMib < 0) throw new IllegalArgumentException("memoryMib must be >= 0");
        if (health == null) health = AcceleratorHealth.HEALTHY;
        if (vendor == null) vendor = "";
    }

    public static Accelerator gpu(int index, String model, int memoryMib) {
        return new Accelerator(index, AcceleratorKind.GPU, "", model, memoryMib, null, AcceleratorHealth.HEALTHY);
    }
}
