package io.berth.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.health.NvidiaSmiReport.Gpu;
import io.berth.agent.health.NvidiaSmiReport.Lost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code nvidia-smi -q} outputs of real layouts (test resources gpu-health/*.txt), read whole. */
class NvidiaSmiReportTest {
    static String resource(String name) throws IOException {
        try (InputStream in = NvidiaSmiReportTest.class.getResourceAsStream("/gpu-health/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Stream<Arguments> samples() {
        return Stream.of(
                // R535, A100: SRAM/DRAM counters summed per kind; GPU 1 has 2 uncorrectable DRAM errors since the driver
                // loaded (3 over its life), 177 (181) correctable, and a row remap pending; retired pages are N/A on A100
                Arguments.of("nvidia-smi-q-a100-r535.txt", new NvidiaSmiReport(List.of(
                        new Gpu("0000:07:00", 0L, 0L, 0L, 0L, null, null, null, 0L, 0L, false, false),
                        new Gpu("0000:0f:00", 177L, 2L, 181L, 3L, null, null, null, 1L, 2L, true, false)), List.of())),
                // R470, V100: the older Single Bit / Double Bit blocks, their Total lines; pages pending retirement
                Arguments.of("nvidia-smi-q-v100-r470.txt", new NvidiaSmiReport(List.of(
                        new Gpu("0000:1a:00", 0L, 0L, 4L, 0L, 0L, 0L, false, null, null, null, null),
                        new Gpu("0000:1b:00", 12L, 1L, 12L, 1L, 2L, 1L, true, null, null, null, null)), List.of())),
                // a GPU fallen off the bus: nvidia-smi names it first and reports only the other one
                Arguments.of("nvidia-smi-q-gpu-lost.txt", new NvidiaSmiReport(List.of(
                        new Gpu("0000:07:00", 0L, 0L, 0L, 0L, null, null, null, 0L, 0L, false, false)),
                        List.of(new Lost("0000:0f:00", "Unknown Error")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void readsTheHealthCountersOfEachGpu(String file, NvidiaSmiReport expected) throws IOException {
        assertThat(NvidiaSmiReport.parse(resource(file))).isEqualTo(expected);
    }
}
