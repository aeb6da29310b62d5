package io.berth.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.hardware.Hardware.Accelerator;
import io.berth.agent.hardware.Hardware.AcceleratorKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Recorded outputs of {@code nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader}. */
class NvidiaSmiTest {

    static Accelerator gpu(int index, String model, long memoryMib) {
        return new Accelerator(index, AcceleratorKind.GPU, "NVIDIA", model, memoryMib, null, null);
    }

    static Stream<Arguments> recordedOutputs() {
        return Stream.of(
                Arguments.of("DGX A100, 2 of 8 lines", """
                        0, GPU-5f1a3c2e-8d4b-11ee-b9d1-0242ac120002, NVIDIA A100-SXM4-80GB, 81920 MiB
                        1, GPU-7c2d9e41-8d4b-11ee-b9d1-0242ac120002, NVIDIA A100-SXM4-80GB, 81920 MiB
                        """, List.of(gpu(0, "A100-SXM4-80GB", 81920), gpu(1, "A100-SXM4-80GB", 81920))),
                Arguments.of("Tesla T4 keeps its vendor-less name", """
                        0, GPU-a1b2c3d4-0000-1111-2222-333344445555, Tesla T4, 15360 MiB
                        """, List.of(gpu(0, "Tesla T4", 15360))),
                Arguments.of("H100 name with spaces", """
                        3, GPU-0f0f0f0f-aaaa-bbbb-cccc-dddddddddddd, NVIDIA H100 80GB HBM3, 81559 MiB
                        """, List.of(gpu(3, "H100 80GB HBM3", 81559))),
                Arguments.of("CRLF line endings and blank lines", "\r\n0, GPU-1, NVIDIA L4, 23034 MiB\r\n\r\n1, GPU-2, NVIDIA L4, 23034 MiB\r\n",
                        List.of(gpu(0, "L4", 23034), gpu(1, "L4", 23034))),
                Arguments.of("no GPUs", "", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordedOutputs")
    void parsesRecordedOutput(String name, String output, List<Accelerator> expected) {
        assertThat(NvidiaSmi.parse(output)).isEqualTo(expected);
    }

    static Stream<Arguments> malformedOutputs() {
        return Stream.of(
                Arguments.of("error text instead of csv", "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
                        "line 1: expected 4 comma-separated fields"),
                Arguments.of("memory not available", "0, GPU-1, NVIDIA A100-SXM4-40GB, [N/A]",
                        "line 1: memory.total is not '<n> MiB'"),
                Arguments.of("non-numeric index on line 2", "0, GPU-1, NVIDIA A10, 23028 MiB\nx, GPU-2, NVIDIA A10, 23028 MiB",
                        "line 2: index is not an integer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedOutputs")
    void rejectsMalformedOutputNamingTheLine(String name, String output, String message) {
        assertThatThrownBy(() -> NvidiaSmi.parse(output)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void discoveryOfThisMachineReportsPositiveCpuAndMemory() {
        Hardware h = HardwareDiscovery.discover(java.nio.file.Path.of("."));
        assertThat(h.cpuMillis()).isEqualTo(Runtime.getRuntime().availableProcessors() * 1000L);
        assertThat(h.memoryMib()).isPositive();
        assertThat(h.simulated()).isFalse();
    }
}
