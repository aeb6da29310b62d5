package io.berth.agent.hardware;

import java.util.List;
import java.util.Map;

/**
 * What one server offers, in integer units.
 *
 * @param cpuMillis    CPU, millicores (&gt; 0)
 * @param memoryMib    memory, MiB (&gt; 0)
 * @param networkMbps  NIC bandwidth, Mbit/s; 0 = unknown
 * @param rack         rack from the hardware file; null = not specified (the agent's --rack applies)
 * @param labels       free-form labels, empty when none
 * @param accelerators by ascending, unique local index
 * @param localDevices local storage devices, unique names
 * @param simulated    true when described by a hardware file rather than discovered
 * @param idlePowerWatts power with nothing running, W, from the hardware file; null = not given
 * @param peakPowerWatts power at full use, W, from the hardware file; null = not given (no model of its own: the
 *                       inventory's figures apply)
 */
public record Hardware(long cpuMillis, long memoryMib, long networkMbps, String rack, Map<String, String> labels,
                       List<Accelerator> accelerators, List<LocalDevice> localDevices, boolean simulated,
                       Integer idlePowerWatts, Integer peakPowerWatts) {

    public Hardware {
        labels = Map.copyOf(labels);
        accelerators = List.copyOf(accelerators);
        localDevices = List.copyOf(localDevices);
    }

    public Hardware(long cpuMillis, long memoryMib, long networkMbps, String rack, Map<String, String> labels,
                    List<Accelerator> accelerators, List<LocalDevice> localDevices, boolean simulated) {
        this(cpuMillis, memoryMib, networkMbps, rack, labels, accelerators, localDevices, simulated, null, null);
    }

    public enum AcceleratorKind { GPU, TPU }

    public enum StorageMedium { NVME, SSD, HDD }

    /**
     * @param index              local index as the driver numbers it (CUDA_VISIBLE_DEVICES uses it)
     * @param memoryMib          device memory, MiB
     * @param interconnectDomain devices sharing NVLink/ICI share this value; null = unknown
     * @param pciBusId           PCI address (e.g. {@code 00000000:3B:00.0}), used to match kernel-log XID lines to
     *                           the device; null = unknown (nvidia-smi's report tells it on real hardware)
     */
    public record Accelerator(int index, AcceleratorKind kind, String vendor, String model, long memoryMib,
                              String interconnectDomain, String pciBusId) {
    }

    /**
     * @param capacityGib   capacity, GiB
     * @param readMbPerSec  sequential read, MB/s; 0 = unknown
     * @param writeMbPerSec sequential write, MB/s; 0 = unknown
     */
    public record LocalDevice(String name, StorageMedium medium, long capacityGib, long readMbPerSec,
                              long writeMbPerSec) {
    }
}
