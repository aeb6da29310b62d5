package io.berth.agent.protocol;

import io.berth.core.protocol.RegisterRequest;
import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.core.protocol.ReportedState;
import io.berth.core.spec.ProcessSpec;
import io.berth.core.spec.RuntimeSpec;
import io.berth.core.spec.TrainingSpec;
import io.berth.core.protocol.WorkerReport;
import io.berth.core.protocol.Assignment;
import io.berth.core.protocol.MetricsReport;
import io.berth.core.protocol.LogBatch;
import static io.berth.agent.protocol.ControlPlaneClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.AcceleratorError;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pins the wire format the control plane is built against. */
class ProtocolJsonTest {

    static Stream<Arguments> agentToControlPlane() {
        return Stream.of(
                Arguments.of("register", new RegisterRequest("n1", "r1", "10.0.0.1", 96000, 1048576, 200000,
                                Map.of("zone", "a"),
                                List.of(new RegisterRequest.AcceleratorInfo(0, "GPU", "NVIDIA", "A100-SXM4-80GB", 81920, "nvswitch-0", "HEALTHY")),
                                List.of(new RegisterRequest.LocalDeviceInfo("nvme0", "NVME", 3840, 7000, 4000)),
                                List.of("w-7")),
                        """
                        {"name":"n1","rack":"r1","address":"10.0.0.1","cpuMillis":96000,"memoryMib":1048576,"networkMbps":200000,\
                        "labels":{"zone":"a"},"accelerators":[{"index":0,"kind":"GPU","vendor":"NVIDIA","model":"A100-SXM4-80GB",\
                        "memoryMib":81920,"interconnectDomain":"nvswitch-0","health":"HEALTHY"}],"localDevices":[{"name":"nvme0",\
                        "medium":"NVME","capacityGib":3840,"readMbPerSec":7000,"writeMbPerSec":4000}],"runningWorkerIds":["w-7"]}"""),
                // no power figure: the field is left out, as older control planes refuse unknown fields
                Arguments.of("heartbeat without power", new HeartbeatRequest(new HeartbeatRequest.Usage(0, 0),
                                List.of(), List.of(), List.of(), null, null, null),
                        """
                        {"usage":{"cpuMillisUsed":0,"memoryMibUsed":0},"acceleratorHealth":[],"workers":[],"errors":[]}"""),
                Arguments.of("heartbeat before a suspend", new HeartbeatRequest(new HeartbeatRequest.Usage(0, 0),
                                List.of(), List.of(), List.of(), null, "SUSPENDING", null),
                        """
                        {"usage":{"cpuMillisUsed":0,"memoryMibUsed":0},"acceleratorHealth":[],"workers":[],"errors":[],\
                        "powerState":"SUSPENDING"}"""),
                Arguments.of("heartbeat", new HeartbeatRequest(new HeartbeatRequest.Usage(4000, 8192),
                                List.of(new HeartbeatRequest.AcceleratorHealth(0, "HEALTHY"),
                                        new HeartbeatRequest.AcceleratorHealth(1, "UNHEALTHY", "nvidia-smi cannot reach the GPU")),
                                List.of(new WorkerReport("w-1", ReportedState.RUNNING, null, null), new WorkerReport("w-2", ReportedState.FAILED, 3, "exited with code 3")),
                                List.of(new AcceleratorError(1, "xid79", "xid/0a1b", "XID 79 (GPU has fallen off the bus)")),
                                new HeartbeatRequest.Power(1430, "nvidia-smi+rapl",
                                        List.of(new HeartbeatRequest.GpuWatts(0, 612), new HeartbeatRequest.GpuWatts(1, 88)), 310),
                                null, null),
                        """
                        {"usage":{"cpuMillisUsed":4000,"memoryMibUsed":8192},"acceleratorHealth":[{"index":0,"health":"HEALTHY","reason":null},\
                        {"index":1,"health":"UNHEALTHY","reason":"nvidia-smi cannot reach the GPU"}],\
                        "workers":[{"workerId":"w-1","state":"RUNNING","exitCode":null,"message":null},\
                        {"workerId":"w-2","state":"FAILED","exitCode":3,"message":"exited with code 3"}],\
                        "errors":[{"index":1,"errorClass":"xid79","key":"xid/0a1b","message":"XID 79 (GPU has fallen off the bus)"}],\
                        "power":{"serverWatts":1430,"source":"nvidia-smi+rapl","gpuWatts":[{"index":0,"watts":612},\
                        {"index":1,"watts":88}],"cpuWatts":310}}"""),
                Arguments.of("metrics of a classifier", new MetricsReport(3, 0.25, 0.9, 1500.0),
                        "{\"epoch\":3,\"loss\":0.25,\"accuracy\":0.9,\"samplesPerSecond\":1500.0}"),
                Arguments.of("metrics of a regression", new MetricsReport(1, 0.5, null, 10.0),
                        "{\"epoch\":1,\"loss\":0.5,\"accuracy\":null,\"samplesPerSecond\":10.0}"),
                Arguments.of("logs", new LogBatch(List.of("a", "b")), "{\"lines\":[\"a\",\"b\"]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agentToControlPlane")
    void serialisesRequestsExactly(String name, Object request, String json) {
        assertThat(JSON.readTree(JSON.writeValueAsString(request))).isEqualTo(JSON.readTree(json));
    }

    @Test
    void readsAHeartbeatResponseWithBothRuntimesAndIgnoresUnknownFields() {
        HeartbeatResponse r = JSON.readValue("""
                {"start":[
                  {"workerId":"w-1","jobId":"j-1","jobName":"resnet","attempt":2,"taskGroup":"trainers","replicaIndex":1,
                   "worldSize":2,"masterAddr":"10.0.0.1","masterPort":29500,"gpuIndices":[0,1],"milliGpu":2000,
                   "cpuMillis":8000,"memoryMib":32768,"checkpointDir":"jobs/j-1","maxRunSeconds":3600,
                   "runtime":{"type":"embedded","embedded":{"data":{"type":"generated","generator":"xor"}}},
                   "priority":"high"},
                  {"workerId":"w-2","jobId":"j-2","jobName":"etl","attempt":1,"taskGroup":"main","replicaIndex":0,
                   "worldSize":1,"masterAddr":null,"masterPort":null,"gpuIndices":[],"milliGpu":0,"cpuMillis":1000,
                   "memoryMib":512,"checkpointDir":null,"maxRunSeconds":null,
                   "runtime":{"type":"process","process":{"argv":["python","etl.py"],"env":{"A":"1"},"workingDir":null}}}],
                 "stop":["w-0"],"serverTime":"2026-01-01T00:00:00Z"}""", HeartbeatResponse.class);

        assertThat(r.stop()).containsExactly("w-0");
        Assignment embedded = r.start().get(0);
        assertThat(embedded).isEqualTo(new Assignment("w-1", "j-1", "resnet", 2, "trainers", 1, 2, "10.0.0.1", 29500,
                List.of(0, 1), 2000, 8000, 32768, "jobs/j-1",
                new RuntimeSpec.Embedded(new TrainingSpec(null,
                        new TrainingSpec.Data("generated", "xor", null, null, null, null, null, null), null, null, null, null, null)),
                3600));
        assertThat(r.start().get(1).runtime())
                .isEqualTo(new RuntimeSpec.Process(new ProcessSpec(List.of("python", "etl.py"), Map.of("A", "1"), null)));
        assertThat(r.start().get(1).masterPort()).isNull();
    }

    static Stream<Arguments> runtimes() {
        return Stream.of(
                // the fields the user left out stay out: the agent fills in the defaults
                Arguments.of("embedded", new RuntimeSpec.Embedded(new TrainingSpec(
                                new TrainingSpec.Model("MLP", List.of(8), null, null, null),
                                new TrainingSpec.Data("generated", "xor", null, null, null, 0.2, null, null),
                                null, null, 3, null, null)),
                        """
                        {"type":"embedded","embedded":{"model":{"type":"MLP","hiddenLayers":[8]},                        "data":{"type":"generated","generator":"xor","noise":0.2},"epochs":3}}"""),
                Arguments.of("process", new RuntimeSpec.Process(new ProcessSpec(List.of("torchrun", "train.py"),
                                Map.of("A", "1"), null)),
                        """
                        {"type":"process","process":{"argv":["torchrun","train.py"],"env":{"A":"1"},"workingDir":null}}"""));
    }

    /** The job spec's runtime inside an assignment: the shape the control plane stores and the user wrote. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void aRuntimeIsItsTypeAndItsSection(String name, RuntimeSpec runtime, String json) {
        assertThat(JSON.readTree(JSON.writeValueAsString(runtime))).isEqualTo(JSON.readTree(json));
        assertThat(JSON.readValue(json, RuntimeSpec.class)).isEqualTo(runtime);
    }

    /** A newer control plane's runtime: that assignment has none (its worker fails), the heartbeat still reads. */
    @Test
    void readsARuntimeOfAnUnknownTypeAsNone() {
        assertThat(JSON.readValue("{\"type\":\"wasm\",\"wasm\":{\"module\":\"m.wasm\"}}", RuntimeSpec.class)).isNull();
    }

    @Test
    void readsAnEmptyHeartbeatResponse() {
        assertThat(JSON.readValue("{}", HeartbeatResponse.class)).isEqualTo(new HeartbeatResponse(List.of(), List.of()));
    }
}
