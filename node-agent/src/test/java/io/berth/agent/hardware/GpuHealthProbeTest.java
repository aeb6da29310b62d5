package io.berth.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs real processes that print recorded nvidia-smi output (or fail like it does). */
class GpuHealthProbeTest {

    static List<String> printing(String output, int exitCode) {
        return List.of("sh", "-c", "printf '%s' \"$0\"; exit " + exitCode, output);
    }

    static Stream<Arguments> probes() {
        return Stream.of(
                Arguments.of("all listed", printing("0, GPU-a, NVIDIA A100-SXM4-80GB, 81920 MiB\n1, GPU-b, NVIDIA A100-SXM4-80GB, 81920 MiB\n", 0),
                        Map.of(0, true, 1, true)),
                Arguments.of("GPU 1 fell off the bus", printing("0, GPU-a, NVIDIA A100-SXM4-80GB, 81920 MiB\n", 0),
                        Map.of(0, true, 1, false)),
                Arguments.of("GPU 0 reports [N/A]", printing("0, GPU-a, NVIDIA A100-SXM4-80GB, [N/A]\n1, GPU-b, NVIDIA A100-SXM4-80GB, 81920 MiB\n", 0),
                        Map.of(0, false, 1, true)),
                Arguments.of("nvidia-smi fails", printing("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", 9),
                        Map.of(0, false, 1, false)),
                Arguments.of("nvidia-smi missing", List.of("/nonexistent/nvidia-smi"), Map.of(0, false, 1, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void reportsHealthPerIndex(String name, List<String> command, Map<Integer, Boolean> expected) {
        assertThat(new GpuHealthProbe(command, 0).check(List.of(0, 1))).isEqualTo(expected);
    }

    @Test
    void cachesTheResultWithinTheInterval() throws Exception {
        java.nio.file.Path marker = java.nio.file.Files.createTempFile("probe", ".count");
        List<String> counting = List.of("sh", "-c", "echo x >> \"$0\"; echo '0, GPU-a, NVIDIA L4, 23034 MiB'", marker.toString());
        GpuHealthProbe probe = new GpuHealthProbe(counting, 3_600_000);

        probe.check(List.of(0));
        probe.check(List.of(0));

        assertThat(java.nio.file.Files.readAllLines(marker)).hasSize(1);
        java.nio.file.Files.delete(marker);
    }
}
