package io.berth.agent.hardware;

import io.berth.agent.hardware.Hardware.Accelerator;
import io.berth.agent.hardware.Hardware.AcceleratorKind;
import io.berth.agent.hardware.Hardware.LocalDevice;
import io.berth.agent.hardware.Hardware.StorageMedium;
import io.berth.agent.health.PciBusId;
import io.berth.agent.json.InvalidSpecException;
import io.berth.agent.json.SpecObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Simulated hardware described in YAML, so one machine can run many agents for tests and demos.
 * See examples/hardware/*.yaml. Fields (unknown fields are rejected):
 *
 * <pre>
 * cpuMillis: 96000          # required, &gt; 0
 * memoryMib: 1048576        # required, &gt; 0
 * networkMbps: 200000       # optional, default 0 = unknown
 * rack: r1                  # optional
 * labels: {zone: a}         # optional
 * accelerators:             # optional; index unique, 0..1023; pciBusId optional (default 0000:&lt;index+1&gt;:00.0,
 *                           # the address XID lines in the fault file name, see the agent's README)
 *   - {index: 0, kind: GPU, vendor: NVIDIA, model: A100-SXM4-80GB, memoryMib: 81920, interconnectDomain: nvlink-0}
 * localDevices:             # optional; name unique
 *   - {name: nvme0, medium: NVME, capacityGib: 3840, readMbPerSec: 7000, writeMbPerSec: 4000}
 * idlePowerWatts: 1500      # optional, 0..100000; the simulated server's power with nothing running
 * peakPowerWatts: 6500      # optional, 1..100000, at least idlePowerWatts; at full use. With it the agent reports
 *                           # power from this model (idle + (peak - idle) x the share of GPUs, or CPU, held)
 * </pre>
 */
public final class HardwareFile {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private HardwareFile() {
    }

    /** @throws InvalidSpecException naming the field; the message includes the file name */
    public static Hardware load(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (InvalidSpecException e) {
            InvalidSpecException wrapped = new InvalidSpecException(e.field(), e.problem() + " (in " + file + ")");
            wrapped.initCause(e);
            throw wrapped;
        }
    }

    private static String pciBusId(SpecObject a, int index) {
        String given = a.optionalString("pciBusId");
        if (given == null) return PciBusId.simulated(index);
        try {
            return PciBusId.normalize(given);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(a.pathOf("pciBusId"), "expected a PCI address such as 00000000:3B:00.0 but was '" + given + "'");
        }
    }

    /** @throws InvalidSpecException naming the field */
    public static Hardware parse(String yaml) {
        JsonNode node;
        try {
            node = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw InvalidSpecException.unreadable("hardware file", e);
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidSpecException("", "hardware file is empty");
        }
        SpecObject root = SpecObject.root(node)
                .allowOnly("cpuMillis", "memoryMib", "networkMbps", "rack", "labels", "accelerators", "localDevices",
                        "idlePowerWatts", "peakPowerWatts");
        List<Accelerator> accelerators = new ArrayList<>();
        Set<Integer> indices = new HashSet<>();
        for (SpecObject a : root.objects("accelerators")) {
            a.allowOnly("index", "kind", "vendor", "model", "memoryMib", "interconnectDomain", "pciBusId");
            int index = a.integer("index", null, 0, 1023);
            if (!indices.add(index)) {
                throw new InvalidSpecException(a.pathOf("index"), "duplicate accelerator index " + index);
            }
            accelerators.add(new Accelerator(index,
                    a.enumValue("kind", AcceleratorKind.class, null),
                    a.string("vendor", null),
                    a.string("model", null),
                    a.longValue("memoryMib", null, 1L, 16L * 1024 * 1024),
                    a.optionalString("interconnectDomain"),
                    pciBusId(a, index)));
        }
        accelerators.sort(Comparator.comparingInt(Accelerator::index));
        Set<String> buses = new HashSet<>();
        for (int i = 0; i < accelerators.size(); i++) {
            if (!buses.add(accelerators.get(i).pciBusId()))
                throw new InvalidSpecException("accelerators[" + i + "].pciBusId",
                        "duplicate PCI address " + accelerators.get(i).pciBusId());
        }
        List<LocalDevice> devices = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (SpecObject d : root.objects("localDevices")) {
            d.allowOnly("name", "medium", "capacityGib", "readMbPerSec", "writeMbPerSec");
            String name = d.string("name", null);
            if (!names.add(name)) {
                throw new InvalidSpecException(d.pathOf("name"), "duplicate local device name " + name);
            }
            devices.add(new LocalDevice(name,
                    d.enumValue("medium", StorageMedium.class, null),
                    d.longValue("capacityGib", null, 1L, 1L << 40),
                    d.longValue("readMbPerSec", 0L, 0L, 1L << 30),
                    d.longValue("writeMbPerSec", 0L, 0L, 1L << 30)));
        }
        Integer idle = root.has("idlePowerWatts") ? root.integer("idlePowerWatts", null, 0, 100_000) : null;
        Integer peak = root.has("peakPowerWatts") ? root.integer("peakPowerWatts", null, 1, 100_000) : null;
        if (idle != null && peak == null)
            throw new InvalidSpecException("peakPowerWatts", "required when idlePowerWatts is given");
        if (idle != null && idle > peak)
            throw new InvalidSpecException("peakPowerWatts", "must be at least idlePowerWatts (" + idle + ") but was " + peak);
        return new Hardware(
                root.longValue("cpuMillis", null, 1L, 1L << 40),
                root.longValue("memoryMib", null, 1L, 1L << 40),
                root.longValue("networkMbps", 0L, 0L, 1L << 40),
                root.optionalString("rack"),
                root.stringMap("labels"),
                accelerators,
                devices,
                true, idle, peak);
    }
}
