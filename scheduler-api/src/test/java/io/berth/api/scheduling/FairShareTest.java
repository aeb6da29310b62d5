package io.berth.api.scheduling;

import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Queue order: priority first, then dominant-resource fair share between tenants, FIFO within a tenant. */
class FairShareTest {
    // cluster: 10 GPUs (10,000 milli) and 100,000 millicores
    private static final long GPU_MILLI = 10_000;
    private static final long CPU_MILLIS = 100_000;

    static Stream<Arguments> cases() {
        return Stream.of(
                // a holds 5 GPUs (share 0.5), b nothing: b's jobs go first until b's share passes a's
                arguments("idle tenant first", held("a", 5000, 0),
                        List.of(job("a1", "a", 0, 1000, 0), job("b1", "b", 0, 1000, 0), job("b2", "b", 0, 1000, 0)),
                        List.of("b1", "b2", "a1")),
                // b's share after b1 = 0.4 < a's 0.5, after b2 = 0.8 > 0.5: a1 goes before b3
                arguments("shares grow as jobs are taken", held("a", 5000, 0),
                        List.of(job("b1", "b", 0, 4000, 0), job("b2", "b", 0, 4000, 0), job("b3", "b", 0, 1000, 0),
                                job("a1", "a", 0, 1000, 0)),
                        List.of("b1", "b2", "a1", "b3")),
                // CPU can be the dominant resource: a holds 60% of CPU, b 20% of GPU
                arguments("dominant resource is CPU", held("a", 0, 60_000, "b", 2000, 0),
                        List.of(job("a1", "a", 0, 0, 1000), job("b1", "b", 0, 1000, 0)),
                        List.of("b1", "a1")),
                // priority beats fair share
                arguments("priority first", held("b", 9000, 0),
                        List.of(job("b1", "b", 5, 1000, 0), job("a1", "a", 0, 1000, 0)),
                        List.of("b1", "a1")),
                // one tenant: plain FIFO
                arguments("fifo within tenant", held(),
                        List.of(job("a1", "a", 0, 3000, 0), job("a2", "a", 0, 1000, 0), job("a3", "a", 0, 2000, 0)),
                        List.of("a1", "a2", "a3")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ordersTheQueue(String name, Map<String, long[]> held, List<JobRow> queue, List<String> expected) {
        SchedulingLoop.FairShare share = new SchedulingLoop.FairShare(GPU_MILLI, CPU_MILLIS, new HashMap<>(held));
        assertThat(share.order(queue).stream().map(JobRow::name).toList()).isEqualTo(expected);
    }

    /** What the tenants hold: {gpuMilli, cpuMillis} per tenant. */
    private static Map<String, long[]> held(Object... tenantGpuCpu) {
        Map<String, long[]> held = new HashMap<>();
        for (int i = 0; i < tenantGpuCpu.length; i += 3)
            held.put((String) tenantGpuCpu[i], new long[]{((Number) tenantGpuCpu[i + 1]).longValue(),
                    ((Number) tenantGpuCpu[i + 2]).longValue()});
        return held;
    }

    private static JobRow job(String name, String tenant, int priority, long gpuMilli, long cpuMillis) {
        return new JobRow(UUID.randomUUID(), name, tenant, priority, JobState.QUEUED, "{}", 0, 0, 3, null, gpuMilli,
                cpuMillis, 0, null, null, 0, Instant.EPOCH, Instant.EPOCH, null, null);
    }
}
