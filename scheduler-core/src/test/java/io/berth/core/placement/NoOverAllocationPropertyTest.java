package io.berth.core.placement;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: over random inventories and random jobs, for every policy, the sum of what the engine hands out never
 * exceeds any capacity, lands only on READY servers and HEALTHY accelerators of an accepted model, and an
 * unschedulable job changes nothing. Usage is recomputed from the returned assignments, not read from the state.
 */
class NoOverAllocationPropertyTest {
    private static final String[] MODELS = {"H100", "A100", "T4"};

    @ParameterizedTest(name = "policy {0}")
    @ValueSource(strings = {"random", "bestfit", "spread", "rtc", "gpupacking", "fgd", "berth"})
    void neverOverAllocates(String policy) {
        for (int trial = 0; trial < 60; trial++) {
            Random rnd = new Random(1000L * trial + policy.hashCode());
            Inventory inv = randomInventory(rnd);
            List<JobRequest> jobs = new ArrayList<>();
            for (int j = 0; j < 40; j++) jobs.add(randomJob(rnd, "j" + j));
            var settings = new PluginSettings(jobs.stream().flatMap(j -> j.taskGroups().stream())
                    .map(g -> new WeightedShape(g, 1)).toList());
            PlacementEngine engine = Profiles.engine(policy, settings);
            var snapshot = ClusterSnapshot.of(inv);
            PlacementState st = snapshot.workingCopy();
            List<Assignment> all = new ArrayList<>();
            for (JobRequest job : jobs) {
                PlacementState before = st.copy();
                PlacementResult r = engine.place(st, job, rnd.nextLong());
                if (r instanceof PlacementResult.Placed p) {
                    all.addAll(p.assignments());
                    checkJobShape(job, p, inv);
                } else {
                    assertSameFree(before, st);
                }
                checkCapacities(inv, all, job);
            }
        }
    }

    private static void checkJobShape(JobRequest job, PlacementResult.Placed p, Inventory inv) {
        for (TaskGroup g : job.taskGroups()) {
            long n = p.assignments().stream().filter(a -> a.taskGroup().equals(g.name())).count();
            assertThat(n).isBetween((long) g.gangSize(), (long) g.replicas());
        }
        for (Assignment a : p.assignments()) {
            TaskGroup g = job.taskGroups().stream().filter(t -> t.name().equals(a.taskGroup())).findFirst().orElseThrow();
            assertThat(a.gpuIndices()).hasSize(g.gpuCount()).doesNotHaveDuplicates();
            Server s = inv.servers().stream().filter(x -> x.name().equals(a.server())).findFirst().orElseThrow();
            for (int idx : a.gpuIndices()) {
                Accelerator acc = s.accelerators().get(idx);
                if (!g.acceptedModels().isEmpty()) assertThat(g.acceptedModels()).contains(acc.model());
                assertThat(acc.memoryMib()).isGreaterThanOrEqualTo(g.minGpuMemoryMib());
            }
        }
    }

    private static void checkCapacities(Inventory inv, List<Assignment> all, JobRequest last) {
        Map<String, long[]> used = new HashMap<>(); // cpu, memory, storage, storage bw, network
        Map<String, Integer> gpuUsed = new HashMap<>();
        Map<String, Server> byName = new HashMap<>();
        for (Server s : inv.servers()) byName.put(s.name(), s);
        for (Assignment a : all) {
            Server s = byName.get(a.server());
            assertThat(s.state()).as("server state of %s", s.name()).isEqualTo(ServerState.READY);
            long[] u = used.computeIfAbsent(a.server(), k -> new long[5]);
            u[0] += a.cpuMillis();
            u[1] += a.memoryMib();
            u[2] += a.storageGib();
            u[3] += a.storageMbPerSec();
            u[4] += a.networkMbps();
            for (int idx : a.gpuIndices()) {
                Accelerator acc = s.accelerators().get(idx);
                assertThat(acc.health()).isEqualTo(AcceleratorHealth.HEALTHY);
                gpuUsed.merge(a.server() + "#" + idx, a.milliGpuPerGpu(), Integer::sum);
            }
        }
        for (var e : used.entrySet()) {
            Server s = byName.get(e.getKey());
            long[] u = e.getValue();
            assertThat(u[0]).as("cpu on %s after %s", s.name(), last.jobId()).isLessThanOrEqualTo(s.cpuMillis());
            assertThat(u[1]).as("memory on %s", s.name()).isLessThanOrEqualTo(s.memoryMib());
            assertThat(u[2]).as("storage on %s", s.name()).isLessThanOrEqualTo(s.localStorageGib());
            assertThat(u[3]).as("storage bw on %s", s.name())
                    .isLessThanOrEqualTo(s.localDevices().stream().mapToLong(d -> d.readMbPerSec()).sum());
            if (s.networkMbps() > 0) assertThat(u[4]).as("network on %s", s.name()).isLessThanOrEqualTo(s.networkMbps());
        }
        gpuUsed.forEach((gpu, milli) -> assertThat(milli).as("milli-GPU on %s", gpu).isLessThanOrEqualTo(1000));
    }

    private static void assertSameFree(PlacementState a, PlacementState b) {
        ClusterLayout l = a.layout();
        for (int s = 0; s < l.serverCount(); s++) {
            assertThat(b.cpuFree(s)).isEqualTo(a.cpuFree(s));
            assertThat(b.memoryFree(s)).isEqualTo(a.memoryFree(s));
            assertThat(b.storageFree(s)).isEqualTo(a.storageFree(s));
            assertThat(b.networkFree(s)).isEqualTo(a.networkFree(s));
        }
        for (int g = 0; g < l.gpuCount(); g++) assertThat(b.gpuFree(g)).isEqualTo(a.gpuFree(g));
    }

    private static Inventory randomInventory(Random rnd) {
        int n = 1 + rnd.nextInt(12);
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int gpus = new int[]{0, 1, 2, 4, 8}[rnd.nextInt(5)];
            String model = MODELS[rnd.nextInt(MODELS.length)];
            List<Accelerator> acc = new ArrayList<>();
            for (int g = 0; g < gpus; g++)
                acc.add(new Accelerator(g, AcceleratorKind.GPU, "", model, 16_384 * (1 + rnd.nextInt(5)),
                        "d" + i + "-" + g / 4, rnd.nextInt(10) == 0 ? AcceleratorHealth.UNHEALTHY : AcceleratorHealth.HEALTHY));
            ServerState state = rnd.nextInt(8) == 0 ? ServerState.DRAINING : ServerState.READY;
            var disks = rnd.nextBoolean() ? List.<io.berth.core.inventory.LocalDevice>of()
                    : List.of(new io.berth.core.inventory.LocalDevice("d", io.berth.core.inventory.StorageMedium.NVME,
                    100 + rnd.nextInt(2000), 500 + rnd.nextInt(3000), 500));
            servers.add(new Server("s" + i, "r" + rnd.nextInt(3), 4_000L * (1 + rnd.nextInt(32)),
                    8_192L * (1 + rnd.nextInt(64)), null, state, 100, 500, rnd.nextBoolean() ? 0 : 10_000L * (1 + rnd.nextInt(10)),
                    acc, disks));
        }
        return Fixtures.inventory(servers.toArray(Server[]::new));
    }

    private static JobRequest randomJob(Random rnd, String id) {
        int groups = 1 + rnd.nextInt(2);
        List<TaskGroup> gs = new ArrayList<>();
        for (int i = 0; i < groups; i++) {
            int gpus = new int[]{0, 1, 1, 2, 4, 8}[rnd.nextInt(6)];
            int milli = gpus == 1 && rnd.nextBoolean() ? 1 + rnd.nextInt(999) : 1000;
            int replicas = 1 + rnd.nextInt(3);
            TopologyScope topo = TopologyScope.values()[rnd.nextInt(TopologyScope.values().length)];
            gs.add(new TaskGroup("g" + i, replicas, 500L * rnd.nextInt(40), 1024L * rnd.nextInt(64), gpus, milli,
                    rnd.nextInt(4) == 0 ? Set.of(MODELS[rnd.nextInt(MODELS.length)]) : Set.of(),
                    rnd.nextInt(4) == 0 ? 32_768 : 0, rnd.nextInt(3) == 0 ? rnd.nextInt(500) : 0,
                    rnd.nextInt(3) == 0 ? rnd.nextInt(1000) : 0, rnd.nextInt(3) == 0 ? 1000L * rnd.nextInt(20) : 0,
                    1 + rnd.nextInt(replicas), topo, rnd.nextBoolean()));
        }
        return new JobRequest(id, "t", rnd.nextInt(10), gs);
    }
}
