package io.berth.core.inventory;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A server as the inventory knows it. Immutable.
 *
 * @param cpuMillis       allocatable CPU in millicores (1000 = one core)
 * @param memoryMib       allocatable memory in MiB
 * @param networkMbps     NIC bandwidth in Mbit/s available to tasks (0 = unknown: no network limit is applied)
 * @param idlePowerWatts  draw when idle; {@code peakPowerWatts} at full load (0 = unknown)
 * @param accelerators    ordered by index
 */
public record Server(String name, String rack, long cpuMillis, long memoryMib, Map<String, String> labels,
                     ServerState state, int idlePowerWatts, int peakPowerWatts, long networkMbps,
                     List<Accelerator> accelerators, List<LocalDevice> localDevices) {
    public Server {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rack, "rack");
        if (cpuMillis < 0 || memoryMib < 0) throw new IllegalArgumentException("cpuMillis and memoryMib must be >= 0");
        if (idlePowerWatts < 0 || peakPowerWatts < 0 || networkMbps < 0)
            throw new IllegalArgumentException("power and network figures must be >= 0");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        state = state == null ? ServerState.READY : state;
        accelerators = accelerators == null ? List.of() : List.copyOf(accelerators);
        localDevices = localDevices == null ? List.of() : List.copyOf(localDevices);
    }

    public int gpuCount() {
        return accelerators.size();
    }

    public long localStorageGib() {
        return localDevices.stream().mapToLong(LocalDevice::capacityGib).sum();
    }
}
