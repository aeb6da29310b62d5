package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.Server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rule by which a node agent may adopt a server an operator described (created or replaced it through the API,
 * imported it, or node sync wrote it): what the agent found must cover the description, which is then kept as it is.
 * Covering means at least the described CPU, memory and local storage capacity, and at every described accelerator
 * index one of the same kind and model (compared ignoring case, spaces and punctuation, so "NVIDIA-H100-80GB-HBM3"
 * and "NVIDIA H100 80GB HBM3" are one model) with at least the described memory. More than described (an extra GPU,
 * more memory) is fine: the operator may hold resources back. Rack, labels, network, power, interconnect domains and
 * device names are the operator's and are not compared.
 */
final class AgentAdoption {
    private AgentAdoption() {
    }

    /** What {@code found} lacks of {@code described}, one field error each; empty when the agent may adopt. */
    static List<FieldError> differences(Server described, Server found) {
        List<FieldError> errors = new ArrayList<>();
        if (found.cpuMillis() < described.cpuMillis())
            errors.add(new FieldError("cpuMillis", "described " + described.cpuMillis() + " millicores, the agent found "
                    + found.cpuMillis()));
        if (found.memoryMib() < described.memoryMib())
            errors.add(new FieldError("memoryMib", "described " + described.memoryMib() + " MiB of memory, the agent "
                    + "found " + found.memoryMib()));
        if (found.localStorageGib() < described.localStorageGib())
            errors.add(new FieldError("localDevices", "described " + described.localStorageGib() + " GiB of local "
                    + "storage, the agent found " + found.localStorageGib()));
        if (found.gpuCount() < described.gpuCount())
            errors.add(new FieldError("accelerators", "described " + described.gpuCount() + " accelerators, the agent "
                    + "found " + found.gpuCount()));
        for (Accelerator d : described.accelerators()) {
            Accelerator f = found.accelerators().stream().filter(a -> a.index() == d.index()).findFirst().orElse(null);
            String what = "accelerator " + d.index() + ": described " + d.kind() + " " + d.model() + " ("
                    + d.memoryMib() + " MiB)";
            String path = "accelerators[" + d.index() + "]";
            if (f == null) {
                errors.add(new FieldError(path, what + ", the agent found none"));
            } else if (f.kind() != d.kind() || !sameModel(f.model(), d.model()) || f.memoryMib() < d.memoryMib()) {
                errors.add(new FieldError(path, what + ", the agent found " + f.kind() + " " + f.model()
                        + " (" + f.memoryMib() + " MiB)"));
            }
        }
        return errors;
    }

    static boolean sameModel(String a, String b) {
        return normalized(a).equals(normalized(b));
    }

    private static String normalized(String model) {
        return model.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
