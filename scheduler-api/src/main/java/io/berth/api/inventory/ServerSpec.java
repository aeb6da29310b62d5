package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A server as submitted to the API or found in an inventory document.
 *
 * @param rack        must name an existing rack (or one in the same import document); default "default"
 * @param cpuMillis   allocatable CPU in millicores
 * @param memoryMib   allocatable memory in MiB
 * @param networkMbps NIC bandwidth in Mbit/s, 0 = unknown
 * @param state       default READY
 */
public record ServerSpec(@NotBlank @Pattern(regexp = Names.PATTERN, message = Names.MESSAGE) String name,
                         @Pattern(regexp = Names.PATTERN, message = Names.MESSAGE) String rack,
                         @NotNull @PositiveOrZero Long cpuMillis,
                         @NotNull @PositiveOrZero Long memoryMib,
                         @PositiveOrZero Long networkMbps,
                         @Size(max = 64) Map<@NotBlank @Size(max = 128) String, @NotNull @Size(max = 256) String> labels,
                         ServerState state,
                         @PositiveOrZero Integer idlePowerWatts,
                         @PositiveOrZero Integer peakPowerWatts,
                         @Size(max = 64) List<@NotNull @Valid AcceleratorSpec> accelerators,
                         @Size(max = 64) List<@NotNull @Valid LocalDeviceSpec> localDevices) {

    public static final String DEFAULT_RACK = "default";

    public String rackOrDefault() {
        return rack == null ? DEFAULT_RACK : rack;
    }

    /** Rules Bean Validation cannot express; {@code prefix} is the path of this server in the request. */
    List<FieldError> crossFieldErrors(String prefix) {
        List<FieldError> errors = new ArrayList<>();
        if (idlePowerWatts != null && peakPowerWatts != null && peakPowerWatts < idlePowerWatts) {
            errors.add(new FieldError(prefix + "peakPowerWatts",
                    "must be >= idlePowerWatts"));
        }
        if (accelerators != null) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < accelerators.size(); i++) {
                AcceleratorSpec a = accelerators.get(i);
                int index = a == null || a.index() == null ? i : a.index();
                if (!seen.add(index)) {
                    errors.add(new FieldError(prefix + "accelerators[" + i + "].index",
                            "duplicate index " + index));
                }
            }
        }
        if (localDevices != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < localDevices.size(); i++) {
                LocalDeviceSpec d = localDevices.get(i);
                if (d != null && d.name() != null && !seen.add(d.name())) {
                    errors.add(new FieldError(prefix + "localDevices[" + i + "].name",
                            "duplicate device name '" + d.name() + "'"));
                }
            }
        }
        return errors;
    }

    /** The core record; accelerators ordered by index, devices by name. */
    public Server toServer() {
        List<AcceleratorSpec> accs = accelerators == null ? List.of() : accelerators;
        List<Accelerator> converted = new ArrayList<>(accs.size());
        for (int i = 0; i < accs.size(); i++) converted.add(accs.get(i).toAccelerator(i));
        converted.sort(Comparator.comparingInt(Accelerator::index));
        return new Server(name, rackOrDefault(), cpuMillis, memoryMib, labels, state,
                idlePowerWatts == null ? 0 : idlePowerWatts, peakPowerWatts == null ? 0 : peakPowerWatts,
                networkMbps == null ? 0 : networkMbps, converted,
                localDevices == null ? List.of() : localDevices.stream().map(LocalDeviceSpec::toDevice)
                        .sorted(Comparator.comparing(LocalDevice::name)).toList());
    }

    static ServerSpec of(Server s) {
        return new ServerSpec(s.name(), s.rack(), s.cpuMillis(), s.memoryMib(), s.networkMbps(), s.labels(), s.state(),
                s.idlePowerWatts(), s.peakPowerWatts(),
                s.accelerators().stream().map(AcceleratorSpec::of).toList(),
                s.localDevices().stream().map(LocalDeviceSpec::of).toList());
    }
}
