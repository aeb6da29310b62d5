package io.berth.core.scheduling;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.berth.core.scheduling.Jobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Queue order: priority first, then age (fifo) or dominant-resource fair share between tenants (drf). */
class QueueSortTest {
    // cluster: 10 GPUs (10,000 milli) and 100,000 millicores
    private static final Usage CAPACITY = new Usage(10_000, 100_000);

    static Stream<Arguments> cases() {
        return Stream.of(
                // a holds 5 GPUs (share 0.5), b nothing: b's jobs go first until b's share passes a's
                arguments("drf", "idle tenant first", held("a", 5000, 0),
                        List.of(job("a1", "a", 0, 1, 0), job("b1", "b", 0, 1, 0), job("b2", "b", 0, 1, 0)),
                        List.of("b1", "b2", "a1")),
                // b's share after b1 = 0.4 < a's 0.5, after b2 = 0.8 > 0.5: a1 goes before b3
                arguments("drf", "shares grow as jobs are taken", held("a", 5000, 0),
                        List.of(job("b1", "b", 0, 4, 0), job("b2", "b", 0, 4, 0), job("b3", "b", 0, 1, 0),
                                job("a1", "a", 0, 1, 0)),
                        List.of("b1", "b2", "a1", "b3")),
                // CPU can be the dominant resource: a holds 60% of CPU, b 20% of GPU
                arguments("drf", "dominant resource is CPU", held("a", 0, 60_000, "b", 2000, 0),
                        List.of(job("a1", "a", 0, 0, 0), job("b1", "b", 0, 1, 0)),
                        List.of("b1", "a1")),
                // priority beats fair share
                arguments("drf", "priority first", held("b", 9000, 0),
                        List.of(job("a1", "a", 0, 1, 0), job("b1", "b", 5, 1, 0)),
                        List.of("b1", "a1")),
                // one tenant: plain FIFO, whatever the input order
                arguments("drf", "fifo within tenant", held(),
                        List.of(job("a3", "a", 0, 2, 3), job("a1", "a", 0, 3, 1), job("a2", "a", 0, 1, 2)),
                        List.of("a1", "a2", "a3")),
                // fifo ignores what tenants hold: priority, then submission time, then id
                arguments("fifo", "priority then age", held("a", 9000, 0),
                        List.of(job("b2", "b", 0, 1, 2), job("a1", "a", 0, 1, 1), job("c", "c", 7, 1, 9),
                                job("b1", "b", 0, 1, 1)),
                        List.of("c", "a1", "b1", "b2")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void ordersTheQueue(String sort, String name, Map<String, Usage> held, List<QueuedJob> queue, List<String> expected) {
        QueueSort s = sort.equals("drf") ? QueueSort.dominantResourceFairness() : QueueSort.priorityFifo();
        assertThat(s.order(queue, held, CAPACITY).stream().map(QueuedJob::id).toList()).isEqualTo(expected);
    }

    /** What the tenants hold: tenant, gpuMilli, cpuMillis, ... */
    private static Map<String, Usage> held(Object... tenantGpuCpu) {
        Map<String, Usage> held = new HashMap<>();
        for (int i = 0; i < tenantGpuCpu.length; i += 3)
            held.put((String) tenantGpuCpu[i], new Usage(((Number) tenantGpuCpu[i + 1]).longValue(),
                    ((Number) tenantGpuCpu[i + 2]).longValue()));
        return held;
    }

    /** A job of {@code gpus} whole GPUs and 1,000 millicores (1% of CPU), submitted at second {@code at}. */
    private static QueuedJob job(String id, String tenant, int priority, int gpus, int at) {
        return aJob(id).tenant(tenant).priority(priority).gpus(gpus).submittedAt(at).build();
    }
}
