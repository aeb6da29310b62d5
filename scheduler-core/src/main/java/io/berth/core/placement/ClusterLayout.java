package io.berth.core.placement;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.NetworkLink;
import io.berth.core.inventory.Rack;
import io.berth.core.inventory.Server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The static part of a cluster, flattened into arrays for speed: capacities, GPU models, racks, switches.
 * Immutable and shared by every snapshot and working state built from the same inventory. Servers are numbered
 * 0..n-1 in inventory order; GPUs are numbered globally, those of server s are {@code gpuStart(s)..gpuEnd(s)-1}.
 */
public final class ClusterLayout {
    private final Inventory inventory;
    final String[] serverNames;
    final Map<String, Integer> serverIndex;
    final long[] cpuCapacity, memoryCapacity, storageCapacity, networkCapacity;
    final int[] storageBandwidthCapacity, idleWatts, peakWatts;
    final int[] rack, leaf;            // ids; -1 when unknown
    final boolean[] serverReady;
    final boolean[] agentMissing;
    final int[] gpuStart;              // length n+1
    final int[] gpuLocalIndex, gpuModel, gpuMemoryMib, gpuDomain;
    final boolean[] gpuHealthy;
    final List<String> models = new ArrayList<>();
    final List<String> racks = new ArrayList<>(), leaves = new ArrayList<>(), domains = new ArrayList<>();
    final long totalGpuMilli;

    public ClusterLayout(Inventory inventory) {
        this(inventory, java.util.Set.of());
    }

    /**
     * @param serversWithoutAgent names of servers that are out of service because no node agent is connected to them
     *                            (the control plane shows them NOT_READY); "why not" reasons say so instead of
     *                            "server not ready". Empty when agents are not required.
     */
    public ClusterLayout(Inventory inventory, java.util.Set<String> serversWithoutAgent) {
        this.inventory = inventory;
        List<Server> servers = inventory.servers();
        int n = servers.size();
        serverNames = new String[n];
        serverIndex = new HashMap<>(n * 2);
        cpuCapacity = new long[n];
        memoryCapacity = new long[n];
        storageCapacity = new long[n];
        networkCapacity = new long[n];
        storageBandwidthCapacity = new int[n];
        idleWatts = new int[n];
        peakWatts = new int[n];
        rack = new int[n];
        leaf = new int[n];
        serverReady = new boolean[n];
        agentMissing = new boolean[n];
        gpuStart = new int[n + 1];
        int gpus = servers.stream().mapToInt(Server::gpuCount).sum();
        gpuLocalIndex = new int[gpus];
        gpuModel = new int[gpus];
        gpuMemoryMib = new int[gpus];
        gpuDomain = new int[gpus];
        gpuHealthy = new boolean[gpus];

        Map<String, String> leafOfRack = new HashMap<>();
        for (Rack r : inventory.racks()) if (r.leafSwitch() != null) leafOfRack.put(r.name(), r.leafSwitch());
        Map<String, Long> uplinkMbps = new HashMap<>();
        for (NetworkLink l : inventory.links()) {
            uplinkMbps.merge(l.endpointA(), l.bandwidthMbps(), Math::min);
            uplinkMbps.merge(l.endpointB(), l.bandwidthMbps(), Math::min);
        }
        Map<String, Integer> modelIds = new HashMap<>(), rackIds = new HashMap<>(), leafIds = new HashMap<>(),
                domainIds = new HashMap<>();
        int g = 0;
        for (int s = 0; s < n; s++) {
            Server sv = servers.get(s);
            if (serverIndex.put(sv.name(), s) != null) throw new IllegalArgumentException("duplicate server " + sv.name());
            serverNames[s] = sv.name();
            cpuCapacity[s] = sv.cpuMillis();
            memoryCapacity[s] = sv.memoryMib();
            storageCapacity[s] = sv.localStorageGib();
            storageBandwidthCapacity[s] = sv.localDevices().stream().mapToInt(LocalDevice::readMbPerSec).sum();
            // Network capacity: the NIC figure, capped by the server's own link when the inventory lists one;
            // 0 everywhere means "unknown" and no limit is applied (see NetworkFit).
            long nic = sv.networkMbps();
            Long link = uplinkMbps.get(sv.name());
            networkCapacity[s] = link == null ? nic : (nic == 0 ? link : Math.min(nic, link));
            idleWatts[s] = sv.idlePowerWatts();
            peakWatts[s] = sv.peakPowerWatts();
            rack[s] = intern(sv.rack(), rackIds, racks);
            String leafName = leafOfRack.get(sv.rack());
            leaf[s] = leafName == null ? -1 : intern(leafName, leafIds, leaves);
            serverReady[s] = sv.state().schedulable();
            agentMissing[s] = serversWithoutAgent.contains(sv.name());
            gpuStart[s] = g;
            for (Accelerator a : sv.accelerators()) {
                gpuLocalIndex[g] = a.index();
                gpuModel[g] = intern(a.model(), modelIds, models);
                gpuMemoryMib[g] = a.memoryMib();
                String d = a.interconnectDomain();
                gpuDomain[g] = intern(d == null || d.isBlank() ? sv.name() + "#" + a.index() : d, domainIds, domains);
                gpuHealthy[g] = a.health() == io.berth.core.inventory.AcceleratorHealth.HEALTHY;
                g++;
            }
        }
        gpuStart[n] = g;
        totalGpuMilli = 1000L * g;
    }

    private static int intern(String name, Map<String, Integer> ids, List<String> names) {
        return ids.computeIfAbsent(name, k -> {
            names.add(k);
            return names.size() - 1;
        });
    }

    /**
     * The inventory this layout was built from. What is decided on a state of this layout reads the servers' states
     * here, not from a later read, which may already differ (a server READY there and not ready in the state).
     */
    public Inventory inventory() {
        return inventory;
    }

    public int serverCount() { return serverNames.length; }
    public int gpuCount() { return gpuStart[serverNames.length]; }
    public String serverName(int s) { return serverNames[s]; }
    /** Index of the named server, or -1. */
    public int serverIndex(String name) { return serverIndex.getOrDefault(name, -1); }
    public long cpuCapacity(int s) { return cpuCapacity[s]; }
    public long memoryCapacity(int s) { return memoryCapacity[s]; }
    public long storageCapacity(int s) { return storageCapacity[s]; }
    public int storageBandwidthCapacity(int s) { return storageBandwidthCapacity[s]; }
    public long networkCapacity(int s) { return networkCapacity[s]; }
    public int idleWatts(int s) { return idleWatts[s]; }
    /** Whether server s is out of service because no node agent is connected (see the two-argument constructor). */
    public boolean agentMissing(int s) { return agentMissing[s]; }
    public int rack(int s) { return rack[s]; }
    public int leaf(int s) { return leaf[s]; }
    public int gpuStart(int s) { return gpuStart[s]; }
    public int gpuEnd(int s) { return gpuStart[s + 1]; }
    public int gpusOn(int s) { return gpuStart[s + 1] - gpuStart[s]; }
    public int gpuLocalIndex(int g) { return gpuLocalIndex[g]; }
    public int gpuModel(int g) { return gpuModel[g]; }
    public String modelName(int modelId) { return models.get(modelId); }
    public int modelCount() { return models.size(); }
    public int gpuMemoryMib(int g) { return gpuMemoryMib[g]; }
    public int gpuDomain(int g) { return gpuDomain[g]; }
    public long totalGpuMilli() { return totalGpuMilli; }

    /** Global GPU number of the accelerator with the given index on server s, or -1. */
    public int globalGpu(int s, int acceleratorIndex) {
        for (int g = gpuStart[s]; g < gpuStart[s + 1]; g++) if (gpuLocalIndex[g] == acceleratorIndex) return g;
        return -1;
    }
}
