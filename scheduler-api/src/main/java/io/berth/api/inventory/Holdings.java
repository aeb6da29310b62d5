package io.berth.api.inventory;

import io.berth.api.errors.FieldError;
import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.Server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What the workers holding resources on one server hold, read under the server's row lock
 * ({@link ServerRepository#lockHoldings}). CPU, memory, network and GPU shares come from the usage counters the
 * database keeps within capacity; local storage has no counter and is summed over the holders.
 *
 * @param cpuMillisUsed    millicores counted on the server
 * @param memoryMibUsed    MiB counted on the server
 * @param networkMbpsUsed  Mbit/s counted on the server
 * @param accelerators     the accelerators with a non-zero share counter, by index
 * @param holders          one entry per worker holding resources here
 */
record Holdings(String server, HardwareSource source, long cpuMillisUsed, long memoryMibUsed, long networkMbpsUsed,
                List<HeldAccelerator> accelerators, List<Holder> holders) {

    /** A held accelerator as stored: {@code usedMilli} of 1000 is given out. */
    record HeldAccelerator(int index, AcceleratorKind kind, String model, int memoryMib, int usedMilli) {
    }

    /** One worker holding resources: its job, GPUs (indices) and demand (millicores, MiB, Mbit/s, GiB, MB/s). */
    record Holder(UUID jobId, String jobName, List<Integer> gpuIndices, long cpuMillis, long memoryMib,
                  long networkMbps, long storageGib, int storageMbPerSec) {
    }

    boolean inUse() {
        return !holders.isEmpty() || !accelerators.isEmpty() || cpuMillisUsed > 0 || memoryMibUsed > 0
                || networkMbpsUsed > 0;
    }

    long storageGibHeld() {
        return holders.stream().mapToLong(Holder::storageGib).sum();
    }

    long storageMbPerSecHeld() {
        return holders.stream().mapToLong(Holder::storageMbPerSec).sum();
    }

    /**
     * Why replacing this server by {@code next} is refused: every resource in use that {@code next} would remove or
     * shrink below its usage (CPU, memory, network when {@code next} has a limit, local storage capacity and read
     * bandwidth, a held accelerator removed, given another kind or model, or with less memory). Empty when the edit
     * keeps everything that is held. {@code prefix} is the server's path in the request ({@code servers[3].} or "").
     */
    List<FieldError> refusals(Server next, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        if (next.cpuMillis() < cpuMillisUsed)
            errors.add(new FieldError(prefix + "cpuMillis", "cpuMillis " + next.cpuMillis() + " of " + server
                    + " is below the " + cpuMillisUsed + " held by " + holders(h -> h.cpuMillis() > 0)));
        if (next.memoryMib() < memoryMibUsed)
            errors.add(new FieldError(prefix + "memoryMib", "memoryMib " + next.memoryMib() + " of " + server
                    + " is below the " + memoryMibUsed + " held by " + holders(h -> h.memoryMib() > 0)));
        if (next.networkMbps() > 0 && next.networkMbps() < networkMbpsUsed)
            errors.add(new FieldError(prefix + "networkMbps", "networkMbps " + next.networkMbps() + " of " + server
                    + " is below the " + networkMbpsUsed + " held by " + holders(h -> h.networkMbps() > 0)));
        long storage = storageGibHeld();
        if (next.localStorageGib() < storage)
            errors.add(new FieldError(prefix + "localDevices", "local storage of " + server + " (" + next.localStorageGib()
                    + " GiB) is below the " + storage + " GiB held by " + holders(h -> h.storageGib() > 0)));
        long bandwidth = storageMbPerSecHeld();
        long nextBandwidth = next.localDevices().stream().mapToLong(LocalDevice::readMbPerSec).sum();
        if (nextBandwidth < bandwidth)
            errors.add(new FieldError(prefix + "localDevices", "local storage bandwidth of " + server + " ("
                    + nextBandwidth + " MB/s) is below the " + bandwidth + " MB/s held by "
                    + holders(h -> h.storageMbPerSec() > 0)));
        for (HeldAccelerator held : accelerators) {
            Accelerator n = next.accelerators().stream().filter(a -> a.index() == held.index()).findFirst().orElse(null);
            String change;
            if (n == null) change = "cannot be removed";
            else if (n.kind() != held.kind() || !n.model().equals(held.model()))
                change = "cannot become a " + n.kind() + " " + n.model() + " (it is a " + held.kind() + " "
                        + held.model() + ")";
            else if (n.memoryMib() < held.memoryMib())
                change = "cannot shrink from " + held.memoryMib() + " to " + n.memoryMib() + " MiB of memory";
            else continue;
            errors.add(new FieldError(prefix + "accelerators", "accelerator " + held.index() + " of " + server
                    + " is held by " + holders(h -> h.gpuIndices().contains(held.index())) + " and " + change));
        }
        return errors;
    }

    /** The holders to name for a resource: "job train-a (id), job train-b (id)", each job once. */
    String holders(Predicate<Holder> holding) {
        Set<String> named = new LinkedHashSet<>();
        for (Holder h : holders) {
            if (holding.test(h)) named.add("job " + h.jobName() + " (" + h.jobId() + ")");
        }
        // counters without a holder row cannot happen while reserve and release keep them together; say so if it does
        return named.isEmpty() ? "no worker (usage counter without a holder)" : String.join(", ", named);
    }
}
