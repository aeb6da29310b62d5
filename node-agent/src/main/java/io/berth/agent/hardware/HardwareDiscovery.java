package io.berth.agent.hardware;

import io.berth.agent.hardware.Hardware.Accelerator;
import io.berth.agent.hardware.Hardware.LocalDevice;
import io.berth.agent.hardware.Hardware.StorageMedium;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Discovers the real hardware of this machine: CPUs from the JVM, memory from /proc/meminfo (or the
 * OperatingSystemMXBean), GPUs from nvidia-smi, storage from the work directory's file store and
 * network speed from /sys/class/net/{@literal *}/speed.
 */
public final class HardwareDiscovery {
    private static final System.Logger LOG = System.getLogger(HardwareDiscovery.class.getName());

    private HardwareDiscovery() {
    }

    public static Hardware discover(Path workDir) {
        long cpuMillis = Runtime.getRuntime().availableProcessors() * 1000L;
        List<Accelerator> gpus = List.of();
        try {
            gpus = NvidiaSmi.query().orElse(List.of());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "GPU discovery failed, reporting no GPUs: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Hardware(cpuMillis, memoryMib(), networkMbps(), null, Map.of(), gpus, storage(workDir), false);
    }

    static long memoryMib() {
        OptionalLong kib = meminfoKib("MemTotal");
        if (kib.isPresent()) {
            return kib.getAsLong() / 1024;
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize() / (1024 * 1024);
    }

    /** A /proc/meminfo field in KiB, e.g. "MemAvailable"; empty when unavailable. */
    public static OptionalLong meminfoKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: fall back
        }
        return OptionalLong.empty();
    }

    private static long networkMbps() {
        long best = 0;
        Path net = Path.of("/sys/class/net");
        if (!Files.isDirectory(net)) {
            return 0;
        }
        try (DirectoryStream<Path> ifaces = Files.newDirectoryStream(net)) {
            for (Path iface : ifaces) {
                if (iface.getFileName().toString().equals("lo")) {
                    continue;
                }
                try {
                    best = Math.max(best, Long.parseLong(Files.readString(iface.resolve("speed")).strip()));
                } catch (IOException | RuntimeException e) {
                    // virtual or down interfaces have no readable speed
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return best;
    }

    /** The work directory's file store; the medium is a guess (SSD) as Java cannot tell; rates unknown (0). */
    private static List<LocalDevice> storage(Path workDir) {
        try {
            Path existing = workDir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return List.of();
            }
            FileStore store = Files.getFileStore(existing);
            long gib = store.getTotalSpace() / (1024L * 1024 * 1024);
            String name = store.name().isBlank() ? "workdir" : store.name();
            return gib <= 0 ? List.of() : List.of(new LocalDevice(name, StorageMedium.SSD, gib, 0, 0));
        } catch (IOException e) {
            return List.of();
        }
    }
}
