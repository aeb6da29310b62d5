package io.berth.core.placement;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.Rack;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.inventory.StorageMedium;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Fluent builders for tests: aServer("s1").gpus(8, "H100").rack("r1").build(). */
public final class Fixtures {
    private Fixtures() {}

    public static ServerBuilder aServer(String name) {
        return new ServerBuilder(name);
    }

    public static GroupBuilder aGroup(String name) {
        return new GroupBuilder(name);
    }

    public static Inventory inventory(Server... servers) {
        Set<String> racks = new HashSet<>();
        List<Rack> rackList = new ArrayList<>();
        for (Server s : servers)
            if (racks.add(s.rack())) rackList.add(new Rack(s.rack(), "z1", "leaf-" + s.rack().replaceAll("[0-9]+$", "")));
        return new Inventory(null, rackList, null, null, Arrays.asList(servers), null);
    }

    public static PlacementState state(Server... servers) {
        return ClusterSnapshot.of(inventory(servers)).workingCopy();
    }

    public static final class ServerBuilder {
        private final String name;
        private String rack = "r1";
        private long cpuMillis = 64_000, memoryMib = 262_144, networkMbps = 0;
        private ServerState state = ServerState.READY;
        private final List<Accelerator> gpus = new ArrayList<>();
        private final List<LocalDevice> disks = new ArrayList<>();
        private int idleWatts = 0, peakWatts = 0;

        ServerBuilder(String name) {
            this.name = name;
        }

        public ServerBuilder cpu(long millis) { cpuMillis = millis; return this; }
        public ServerBuilder memory(long mib) { memoryMib = mib; return this; }
        public ServerBuilder rack(String r) { rack = r; return this; }
        public ServerBuilder state(ServerState s) { state = s; return this; }
        public ServerBuilder network(long mbps) { networkMbps = mbps; return this; }
        public ServerBuilder power(int idle, int peak) { idleWatts = idle; peakWatts = peak; return this; }
        public ServerBuilder disk(long gib, int mbPerSec) {
            disks.add(new LocalDevice("d" + disks.size(), StorageMedium.NVME, gib, mbPerSec, mbPerSec));
            return this;
        }

        /** n GPUs of the model with 80 GiB each, each its own interconnect domain unless {@link #domains} says. */
        public ServerBuilder gpus(int n, String model) {
            return gpus(n, model, 81_920);
        }

        public ServerBuilder gpus(int n, String model, int memoryMib) {
            for (int i = 0; i < n; i++) gpus.add(Accelerator.gpu(gpus.size(), model, memoryMib));
            return this;
        }

        /** Puts GPUs into interconnect domains, e.g. domains("a", "a", "b", "b"). */
        public ServerBuilder domains(String... ids) {
            for (int i = 0; i < ids.length; i++) {
                Accelerator a = gpus.get(i);
                gpus.set(i, new Accelerator(a.index(), a.kind(), a.vendor(), a.model(), a.memoryMib(), ids[i], a.health()));
            }
            return this;
        }

        public ServerBuilder unhealthy(int index) {
            Accelerator a = gpus.get(index);
            gpus.set(index, new Accelerator(a.index(), AcceleratorKind.GPU, a.vendor(), a.model(), a.memoryMib(),
                    a.interconnectDomain(), AcceleratorHealth.UNHEALTHY));
            return this;
        }

        public Server build() {
            return new Server(name, rack, cpuMillis, memoryMib, null, state, idleWatts, peakWatts, networkMbps, gpus, disks);
        }
    }

    public static final class GroupBuilder {
        private final String name;
        private int replicas = 1, gpus = 0, milli = 1000, minGpuMemoryMib = 0, storageMbPerSec = 0, gang = 0;
        private long cpuMillis = 1000, memoryMib = 1024, storageGib = 0, networkMbps = 0;
        private Set<String> models = Set.of();
        private TopologyScope topology = TopologyScope.NONE;
        private boolean required;

        GroupBuilder(String name) {
            this.name = name;
        }

        public GroupBuilder replicas(int n) { replicas = n; return this; }
        public GroupBuilder gang(int n) { gang = n; return this; }
        public GroupBuilder cpu(long millis) { cpuMillis = millis; return this; }
        public GroupBuilder memory(long mib) { memoryMib = mib; return this; }
        public GroupBuilder gpus(int n) { gpus = n; return this; }
        public GroupBuilder gpus(int n, int milliEach) { gpus = n; milli = milliEach; return this; }
        public GroupBuilder models(String... m) { models = Set.of(m); return this; }
        public GroupBuilder minGpuMemory(int mib) { minGpuMemoryMib = mib; return this; }
        public GroupBuilder storage(long gib, int mbPerSec) { storageGib = gib; storageMbPerSec = mbPerSec; return this; }
        public GroupBuilder network(long mbps) { networkMbps = mbps; return this; }
        public GroupBuilder topology(TopologyScope t, boolean req) { topology = t; required = req; return this; }

        public TaskGroup build() {
            return new TaskGroup(name, replicas, cpuMillis, memoryMib, gpus, milli, models, minGpuMemoryMib, storageGib,
                    storageMbPerSec, networkMbps, gang, topology, required);
        }

        public JobRequest job(String id) {
            return JobRequest.of(id, build());
        }
    }
}
