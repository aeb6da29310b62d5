package io.berth.core.scheduling;

import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.TaskGroup;

import java.time.Instant;
import java.util.List;

import static io.berth.core.placement.Fixtures.aGroup;

/** Fluent queued jobs and holders for the cycle's tests: aJob("a1").tenant("a").gpus(2).submittedAt(3).build(). */
final class Jobs {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Jobs() {}

    static JobBuilder aJob(String id) {
        return new JobBuilder(id);
    }

    /** A holder of whole GPUs {@code gpus} on one server, submitted {@code submittedSecond} after T0. */
    static Holder holder(String id, String tenant, int priority, int submittedSecond, String server, Integer... gpus) {
        return holder(id, tenant, priority, submittedSecond, null, server, gpus);
    }

    static Holder holder(String id, String tenant, int priority, int submittedSecond, Integer endsSecond, String server,
                         Integer... gpus) {
        Assignment a = new Assignment("g", 0, server, List.of(gpus), 1000, 1000, 1024, 0, 0, 0);
        return new Holder(id, tenant, priority, T0.plusSeconds(submittedSecond), false,
                new Allocation(id, priority, List.of(a)), endsSecond == null ? null : T0.plusSeconds(endsSecond));
    }

    static final class JobBuilder {
        private final String id;
        private String tenant = "t";
        private int priority, submitted, replicas = 1, gpus;
        private long cpuMillis = 1000;
        private Integer maxRunSeconds;

        JobBuilder(String id) {
            this.id = id;
        }

        JobBuilder tenant(String t) { tenant = t; return this; }
        JobBuilder priority(int p) { priority = p; return this; }
        JobBuilder submittedAt(int second) { submitted = second; return this; }
        JobBuilder gpus(int n) { gpus = n; return this; }
        JobBuilder replicas(int n) { replicas = n; return this; }
        JobBuilder cpu(long millis) { cpuMillis = millis; return this; }
        JobBuilder maxRunSeconds(int s) { maxRunSeconds = s; return this; }

        QueuedJob build() {
            TaskGroup g = aGroup("g").replicas(replicas).gpus(gpus).cpu(cpuMillis).build();
            return QueuedJob.of(new JobRequest(id, tenant, priority, List.of(g)), T0.plusSeconds(submitted), maxRunSeconds);
        }
    }
}
