package io.berth.api.scheduling;

import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobState;
import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Queue order: priority first, then dominant-resource fair share between tenants, FIFO within a tenant. */
class FairShareTest {
    // cluster: 10 GPUs (10,000 milli) and 100,000 millicores
    private static final Inventory CLUSTER = Inventory.ofServers(List.of(new Server("s", "r", 100_000, 1_000_000, null,
            null, 0, 0, 0, java.util.stream.IntStream.range(0, 10).mapToObj(i -> Accelerator.gpu(i, "H100", 80_000)).toList(),
            null)));

    static Stream<Arguments> cases() {
        return Stream.of(
                // a holds 5 GPUs (share 0.5), b nothing: b's jobs go first until b's share passes a's
                arguments("idle tenant first", List.of(holder("a", 5000, 0)),
                        List.of(job("a1", "a", 0, 1000, 0), job("b1", "b", 0, 1000, 0), job("b2", "b", 0, 1000, 0)),
                        List.of("b1", "b2", "a1")),
                // b's share after b1 = 0.4 < a's 0.5, after b2 = 0.8 > 0.5: a1 goes before b3
                arguments("shares grow as jobs are taken", List.of(holder("a", 5000, 0)),
                        List.of(job("b1", "b", 0, 4000, 0), job("b2", "b", 0, 4000, 0), job("b3", "b", 0, 1000, 0),
                                job("a1", "a", 0, 1000, 0)),
                        List.of("b1", "b2", "a1", "b3")),
                // CPU can be the dominant resource: a holds 60% of CPU, b 20% of GPU
                arguments("dominant resource is CPU", List.of(holder("a", 0, 60_000), holder("b", 2000, 0)),
                        List.of(job("a1", "a", 0, 0, 1000), job("b1", "b", 0, 1000, 0)),
                        List.of("b1", "a1")),
                // priority beats fair share
                arguments("priority first", List.of(holder("b", 9000, 0)),
                        List.of(job("b1", "b", 5, 1000, 0), job("a1", "a", 0, 1000, 0)),
                        List.of("b1", "a1")),
                // one tenant: plain FIFO
                arguments("fifo within tenant", List.of(),
                        List.of(job("a1", "a", 0, 3000, 0), job("a2", "a", 0, 1000, 0), job("a3", "a", 0, 2000, 0)),
                        List.of("a1", "a2", "a3")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ordersTheQueue(String name, List<ClusterView.Holder> holders, List<JobRow> queue, List<String> expected) {
        SchedulingLoop.FairShare share = new SchedulingLoop.FairShare(CLUSTER, holders);
        assertThat(share.order(queue).stream().map(JobRow::name).toList()).isEqualTo(expected);
    }

    private static ClusterView.Holder holder(String tenant, int gpuMilli, long cpuMillis) {
        List<Integer> gpus = new ArrayList<>();
        for (int i = 0; i < gpuMilli / 1000; i++) gpus.add(i);
        UUID id = UUID.randomUUID();
        return new ClusterView.Holder(id, tenant, 0, Instant.EPOCH, false, new Allocation(id.toString(), 0,
                List.of(new Assignment("g", 0, "s", gpus, gpus.isEmpty() ? 0 : 1000, cpuMillis, 0, 0, 0, 0))));
    }

    private static JobRow job(String name, String tenant, int priority, long gpuMilli, long cpuMillis) {
        return new JobRow(UUID.randomUUID(), name, tenant, priority, JobState.QUEUED, "{}", 0, 0, 3, null, gpuMilli,
                cpuMillis, 0, null, null, 0, Instant.EPOCH, Instant.EPOCH, null, null);
    }
}
