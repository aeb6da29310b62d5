package io.berth.agent.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outputs in the format of {@code nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits} (resources
 * power/, written after the driver's format, not captured from machines).
 */
class NvidiaSmiPowerTest {
    static String sample(String name) throws IOException {
        try (InputStream in = NvidiaSmiPowerTest.class.getResourceAsStream("/power/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("nvidia-smi-power-a100x8.txt", Map.of(0, 61.27, 1, 58.91, 2, 312.45, 3, 298.03,
                        4, 62.10, 5, 60.77, 6, 59.40, 7, 63.88)),
                // GPU 1 cannot tell: left out, the others are measured
                Arguments.of("nvidia-smi-power-h100-na.txt", Map.of(0, 112.63, 2, 699.12, 3, 118.04)),
                Arguments.of("nvidia-smi-power-geforce-not-supported.txt", Map.of(1, 35.72)),
                Arguments.of("nvidia-smi-power-crlf-unknown-error.txt", Map.of(1, 24.56)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void parsesRecordedOutputLeavingOutGpusThatCannotTell(String file, Map<Integer, Double> expected) throws IOException {
        Map<Integer, Double> watts = NvidiaSmiPower.parse(sample(file));
        assertThat(watts).isEqualTo(expected);
        assertThat(List.copyOf(watts.keySet())).isSorted();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            driver not loaded  | NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. | line 1: expected 2 comma-separated fields
            units left in      | 0, 61.27 W                                                                     | line 1: power.draw is not a number
            negative draw      | 0, -5.00                                                                       | line 1: power.draw is not a non-negative number
            bad index, line 2  | 0, 61.27\\nGPU1, 58.91                                                         | line 2: index is not an integer
            """)
    void rejectsMalformedOutputNamingTheLine(String name, String output, String message) {
        assertThatThrownBy(() -> NvidiaSmiPower.parse(output.replace("\\n", "\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void runsTheCommandAndGivesItsOutputOrNullWhenItFails() {
        assertThat(NvidiaSmiPower.run(List.of("sh", "-c", "printf '0, 41.50\\n1, [N/A]\\n'")))
                .isEqualTo("0, 41.50\n1, [N/A]\n");
        assertThat(NvidiaSmiPower.run(List.of("sh", "-c", "echo 'No devices were found'; exit 6"))).isNull();
        assertThat(NvidiaSmiPower.run(List.of("/nonexistent/nvidia-smi"))).isNull();
    }
}
