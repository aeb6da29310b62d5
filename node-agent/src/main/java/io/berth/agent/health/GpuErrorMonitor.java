package io.berth.agent.health;

import io.berth.core.protocol.AcceleratorError;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns what the GPUs' tools say into {@link AcceleratorError}s: NVRM Xid lines appended to a kernel log, and the
 * ECC, retired-page, remapped-row and lost-GPU state of an {@code nvidia-smi -q} report. Errors are kept until a
 * heartbeat has delivered them ({@link #acknowledge}); at most {@value #MAX_PENDING} wait, the oldest are dropped
 * first.
 *
 * <p>Keys: an Xid line is keyed by a hash of the line (kernel logs stamp every line with its time, so a repeated
 * error is a new line); uncorrectable ECC errors by the device's aggregate count (so a restarted agent reading the
 * same counters repeats the key, and only a new error makes a new key); conditions (a lost GPU, a pending row remap,
 * a failed remap, pages pending retirement) by the moment this agent first saw them, once per episode.
 *
 * <p>GPUs are matched by PCI address: a map from address to local index, from the hardware file for simulated
 * servers and learned from the first complete nvidia-smi report otherwise; errors of an address not in the map are
 * dropped (with {@link #unknownDevices()} counting them). Thread-safe.
 */
public final class GpuErrorMonitor {
    static final int MAX_PENDING = 256;
    private static final System.Logger LOG = System.getLogger(GpuErrorMonitor.class.getName());

    private final Map<String, Integer> indexByBus;
    private final Path kernelLog;
    private final Supplier<String> nvidiaSmi;
    private long kernelLogOffset;
    private final LinkedHashMap<String, AcceleratorError> pending = new LinkedHashMap<>();
    private final Set<String> eccSeen = new HashSet<>();
    private final Map<String, String> episodes = new HashMap<>(); // condition -> key of its current episode
    private final Map<Integer, String> lostNow = new TreeMap<>();
    private long unknownDevices;
    private final Set<String> warned = new HashSet<>(); // each problem is logged once, not at every heartbeat

    /**
     * @param indexByBus         PCI address (any form {@link PciBusId#normalize} reads) to local index; empty = learn
     *                           it from the first nvidia-smi report
     * @param kernelLog          file that receives kernel messages (e.g. /var/log/kern.log); null = none
     * @param kernelLogFromStart true: read the file from its beginning (a simulation's fault file); false: only what is
     *                           appended after the first poll (a real log's history is not news)
     * @param nvidiaSmi          gives the current {@code nvidia-smi -q} text, or null when there is none this time
     */
    public GpuErrorMonitor(Map<String, Integer> indexByBus, Path kernelLog, boolean kernelLogFromStart,
                           Supplier<String> nvidiaSmi) {
        this.indexByBus = new HashMap<>();
        indexByBus.forEach((bus, idx) -> this.indexByBus.put(PciBusId.normalize(bus), idx));
        this.kernelLog = kernelLog;
        this.nvidiaSmi = nvidiaSmi;
        this.kernelLogOffset = kernelLogFromStart ? 0 : -1;
    }

    /** Reads the sources and returns every error not yet acknowledged, oldest first. */
    public synchronized List<AcceleratorError> poll() {
        if (kernelLog != null) readKernelLog();
        String smi = nvidiaSmi == null ? null : nvidiaSmi.get();
        if (smi != null) apply(NvidiaSmiReport.parse(smi));
        return List.copyOf(pending.values());
    }

    /** Forgets errors a heartbeat delivered. */
    public synchronized void acknowledge(List<AcceleratorError> delivered) {
        delivered.forEach(e -> pending.remove(e.key()));
    }

    /** Accelerators nvidia-smi cannot reach as of the last poll, with what it said. */
    public synchronized Map<Integer, String> lost() {
        return Map.copyOf(lostNow);
    }

    /** Errors dropped because their PCI address matched no accelerator of this server. */
    public synchronized long unknownDevices() {
        return unknownDevices;
    }

    private void readKernelLog() {
        if (!Files.isRegularFile(kernelLog)) return;
        try (RandomAccessFile f = new RandomAccessFile(kernelLog.toFile(), "r")) {
            long length = f.length();
            if (kernelLogOffset < 0 || kernelLogOffset > length) {
                // first look at a real log: start at its end; a shorter file was rotated: start at its beginning
                kernelLogOffset = kernelLogOffset < 0 ? length : 0;
                if (kernelLogOffset == length) return;
            }
            if (length == kernelLogOffset) return;
            f.seek(kernelLogOffset);
            byte[] bytes = new byte[(int) Math.min(length - kernelLogOffset, 4 << 20)];
            f.readFully(bytes);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') end--; // a partly written last line waits for the next poll
            kernelLogOffset += end;
            for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                XidLine.parse(line).ifPresent(this::xid);
            }
        } catch (IOException e) {
            if (warned.add("kernel-log"))
                LOG.log(System.Logger.Level.WARNING, "cannot read the kernel log " + kernelLog + ": " + e.getMessage());
        }
    }

    private void xid(XidLine x) {
        Integer index = index(x.pciBusId());
        if (index == null) return;
        add(new AcceleratorError(index, "xid" + x.xid(), "xid/" + hash(x.line()),
                clip("XID " + x.xid() + " (" + x.meaning() + ") on PCI " + x.pciBusId()
                        + (x.text().isEmpty() ? "" : ": " + x.text()))));
    }

    private void apply(NvidiaSmiReport report) {
        if (indexByBus.isEmpty() && report.lost().isEmpty()) {
            // nvidia-smi lists GPUs by index: learn the addresses from a report that reached every GPU
            for (int i = 0; i < report.gpus().size(); i++) indexByBus.put(report.gpus().get(i).pciBusId(), i);
        }
        Set<String> conditions = new HashSet<>();
        lostNow.clear();
        for (NvidiaSmiReport.Lost l : report.lost()) {
            Integer index = index(l.pciBusId());
            if (index == null) continue;
            lostNow.put(index, "nvidia-smi cannot reach the GPU: " + l.message());
            condition(conditions, index, "gpu-lost", "nvidia-smi cannot reach the GPU at PCI " + l.pciBusId() + ": "
                    + l.message());
        }
        for (NvidiaSmiReport.Gpu g : report.gpus()) {
            Integer index = index(g.pciBusId());
            if (index == null) continue;
            Long volatileDbe = g.volatileUncorrectable();
            if (volatileDbe != null && volatileDbe > 0) {
                long aggregate = g.aggregateUncorrectable() == null ? volatileDbe : g.aggregateUncorrectable();
                String key = "ecc-dbe/" + g.pciBusId() + "/" + aggregate;
                if (eccSeen.add(key)) {
                    add(new AcceleratorError(index, "ecc-dbe", key, "uncorrectable (double-bit) ECC errors: "
                            + volatileDbe + " since the driver loaded, " + aggregate + " over the GPU's life"));
                }
            }
            if (Boolean.TRUE.equals(g.remapFailure()))
                condition(conditions, index, "row-remap-failure", "row remapping failed (Remapping Failure Occurred: Yes)");
            if (Boolean.TRUE.equals(g.remapPending()))
                condition(conditions, index, "row-remap-pending", "a row remap is pending until the GPU is reset ("
                        + g.remappedUncorrectable() + " rows remapped for uncorrectable errors)");
            if (Boolean.TRUE.equals(g.retirementPending()))
                condition(conditions, index, "page-retirement-pending", "pages are pending retirement until the GPU is "
                        + "reset (" + g.retiredDoubleBit() + " retired for double-bit errors)");
        }
        episodes.keySet().retainAll(conditions); // a condition that cleared starts a new episode when it returns
    }

    /** A condition seen now: reported once when its episode starts. */
    private void condition(Set<String> seen, int index, String errorClass, String message) {
        String id = errorClass + "/" + index;
        seen.add(id);
        if (episodes.containsKey(id)) return;
        String key = id + "/" + System.currentTimeMillis();
        episodes.put(id, key);
        add(new AcceleratorError(index, errorClass, key, clip(message)));
    }

    private Integer index(String bus) {
        Integer index = indexByBus.get(bus);
        if (index == null) {
            unknownDevices++;
            if (warned.add("bus " + bus))
                LOG.log(System.Logger.Level.WARNING, "GPU error on PCI " + bus + ", which is not an accelerator of this "
                        + "server (known: " + new TreeMap<>(indexByBus) + "); ignored");
        }
        return index;
    }

    private void add(AcceleratorError e) {
        if (pending.containsKey(e.key())) return;
        if (pending.size() >= MAX_PENDING) pending.remove(pending.keySet().iterator().next());
        pending.put(e.key(), e);
        LOG.log(System.Logger.Level.WARNING, "accelerator " + e.index() + ": " + e.errorClass() + ": " + e.message());
    }

    private static String clip(String s) {
        return s.length() <= 1024 ? s : s.substring(0, 1024);
    }

    private static String hash(String line) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
