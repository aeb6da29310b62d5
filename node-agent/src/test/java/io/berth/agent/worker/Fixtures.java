package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;
import io.berth.core.spec.ProcessSpec;
import io.berth.core.spec.RuntimeSpec;
import io.berth.core.spec.TrainingSpec;
import io.berth.agent.protocol.ControlPlaneClient;
import io.berth.core.protocol.MetricsReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fluent assignment builder and a Telemetry that keeps what it receives. */
final class Fixtures {

    private Fixtures() {
    }

    static AssignmentBuilder anAssignment(String workerId) {
        return new AssignmentBuilder(workerId);
    }

    static final class AssignmentBuilder {
        private final String workerId;
        private int replica;
        private int world = 1;
        private String masterAddr;
        private Integer masterPort;
        private List<Integer> gpus = List.of();
        private String checkpointDir;
        private RuntimeSpec runtime;
        private Integer maxRunSeconds;

        AssignmentBuilder(String workerId) {
            this.workerId = workerId;
        }

        AssignmentBuilder replica(int rank, int worldSize) {
            this.replica = rank;
            this.world = worldSize;
            return this;
        }

        AssignmentBuilder master(String addr, int port) {
            this.masterAddr = addr;
            this.masterPort = port;
            return this;
        }

        AssignmentBuilder gpus(Integer... indices) {
            this.gpus = List.of(indices);
            return this;
        }

        AssignmentBuilder checkpointDir(String dir) {
            this.checkpointDir = dir;
            return this;
        }

        AssignmentBuilder maxRunSeconds(int s) {
            this.maxRunSeconds = s;
            return this;
        }

        AssignmentBuilder process(List<String> argv, Map<String, String> env, String workingDir) {
            this.runtime = new RuntimeSpec.Process(new ProcessSpec(argv, env, workingDir));
            return this;
        }

        AssignmentBuilder process(String... argv) {
            return process(List.of(argv), Map.of(), null);
        }

        AssignmentBuilder embedded(String specJson) {
            this.runtime = new RuntimeSpec.Embedded(ControlPlaneClient.JSON.readValue(specJson, TrainingSpec.class));
            return this;
        }

        Assignment build() {
            return new Assignment(workerId, "job-" + workerId, "name-" + workerId, 1, "main", replica, world,
                    masterAddr, masterPort, gpus, 0, 1000, 512, checkpointDir, runtime, maxRunSeconds);
        }
    }

    /** Keeps every metric and log line, in arrival order. Thread-safe. */
    static final class KeepingTelemetry implements Telemetry {
        final List<Map.Entry<String, MetricsReport>> metrics = Collections.synchronizedList(new ArrayList<>());
        final Map<String, List<String>> logs = Collections.synchronizedMap(new LinkedHashMap<>());

        @Override
        public void metrics(String workerId, MetricsReport report) {
            metrics.add(Map.entry(workerId, report));
        }

        @Override
        public void logs(String workerId, List<String> lines) {
            logs.computeIfAbsent(workerId, k -> Collections.synchronizedList(new ArrayList<>())).addAll(lines);
        }

        List<String> logsOf(String workerId) {
            return List.copyOf(logs.getOrDefault(workerId, List.of()));
        }
    }

    static WorkerManager.Settings fastSettings() {
        return new WorkerManager.Settings(Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofMillis(50));
    }

    /** Waits (polling) until the worker has a final status; fails after a generous bound. */
    static WorkerStatus awaitFinal(WorkerManager m, String id) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            WorkerStatus s = m.status(id).orElseThrow();
            if (s.isFinal()) {
                return s;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("worker " + id + " did not finish");
    }

    /** Waits until the condition holds; fails after a generous bound. */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
